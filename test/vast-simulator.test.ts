import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startVmsSimulator, type VmsSimulator } from "../src/simulators/vast/server.js";

let sim: VmsSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function call(s: VmsSimulator, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${s.url}${path}`, {
    method,
    redirect: "manual",
    headers: { authorization: `Api-Token ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get("content-type"), location: response.headers.get("location"), text: await response.text() };
}

describe("VMS simulator", () => {
  it("answers VMS's way at the edges of its routes", async () => {
    sim = await startVmsSimulator();
    const { token } = sim.seedToken({ owner: "admin" });
    expect(await call(sim, "GET", "/api/latest/apitokens", token)).toMatchObject({ status: 301, location: "/api/latest/apitokens/" });
    expect(await call(sim, "DELETE", "/api/latest/apitokens/", token)).toMatchObject({ status: 405, text: '{"detail":"Method \\"DELETE\\" not allowed."}' });
    expect(await call(sim, "GET", `/api/latest/apitokens/${token}/`, token)).toMatchObject({ status: 404 });
    expect((await call(sim, "GET", "/api/latest/nothing/", token)).type).toMatch(/text\/html/);
    expect(await call(sim, "POST", "/api/latest/apitokens/", token, { expiry_date: "181D" })).toMatchObject({ status: 400 });
    expect(await call(sim, "POST", "/api/latest/apitokens/", token, { expiry_date: "0D" })).toMatchObject({ status: 400 });
    expect(await call(sim, "POST", "/api/latest/apitokens/", "nope.nope", {})).toMatchObject({ status: 403 });
  });

  it("hides others' tokens from a manager without View, and lets one manage one's own", async () => {
    sim = await startVmsSimulator();
    const own = sim.seedToken({ owner: "manager" });
    const other = sim.seedToken({ owner: "admin" });
    const listed = JSON.parse((await call(sim, "GET", "/api/latest/apitokens/?owner=admin", own.token)).text) as unknown[];
    expect(listed).toEqual([]);
    expect((await call(sim, "PATCH", `/api/latest/apitokens/${other.id}/revoke/`, own.token)).status).toBe(404);
    expect(await call(sim, "POST", "/api/latest/apitokens/", own.token, { owner: "admin" })).toMatchObject({ status: 403 });
    expect(await call(sim, "POST", "/api/latest/apitokens/", own.token, {})).toMatchObject({ status: 201 });
  });

  it("keeps its state in a file only its owner can read", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vms-sim-")), "state.json");
    sim = await startVmsSimulator({ file });
    const { token } = sim.seedToken({ owner: "admin", name: "kept" });
    await sim.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    sim = await startVmsSimulator({ file });
    expect(sim.tokens().map((t) => t.name)).toEqual(["kept"]);
    expect((await call(sim, "GET", "/api/latest/apitokens/", token)).status).toBe(200);
  });
});
