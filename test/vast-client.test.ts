import { afterEach, describe, expect, it, vi } from "vitest";
import { VastTokenApi } from "../src/backends/vast/api.js";
import { parseRfc3339 } from "../src/backends/vast/wire-token.js";
import { upstreamMessage, VastClient, type VastClientOptions } from "../src/backends/vast/client.js";
import type { VastCredential } from "../src/backends/vast/config.js";
import { isVastError, VastError } from "../src/backends/vast/errors.js";
import { startVmsSimulator, type VmsSimulator, type VmsSimulatorOptions } from "../src/simulators/vast/server.js";

const START = Date.parse("2026-03-01T08:00:00.000Z");
const DAY = 86_400_000;

let sim: VmsSimulator | undefined;
let client: VastClient | undefined;
let simNow = START;
let clientNow = START;

afterEach(async () => {
  await client?.close();
  await sim?.close();
  client = undefined;
  sim = undefined;
  simNow = START;
  clientNow = START;
});

async function setUp(
  credential: (sim: VmsSimulator) => VastCredential,
  options: Partial<VastClientOptions> = {},
  simOptions: VmsSimulatorOptions = {},
): Promise<VastTokenApi> {
  const started = await startVmsSimulator({ now: () => simNow, ...simOptions });
  sim = started;
  client = new VastClient({
    baseUrl: started.url,
    apiVersion: "latest",
    credential: credential(started),
    timeoutMs: 2000,
    clock: () => clientNow,
    retryDelayMs: () => 0,
    ...options,
  });
  return new VastTokenApi(client);
}

const apiToken = (owner: string) => (s: VmsSimulator): VastCredential => {
  const [tokenId, secret] = s.seedToken({ owner, name: "sn-tokens-mcp" }).token.split(".") as [string, string];
  return { kind: "api-token", tokenId, secret };
};
const password = (username: string) => (): VastCredential => ({ kind: "password", username, password: `${username}-password` });
/** Resolves `promise` when `release` is called: holds a reply without racing a timer. */
function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}
const calls = () => sim!.requests.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ""} ${r.status}`);

async function rejection(promise: Promise<unknown>): Promise<VastError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VastError) return error;
    throw error;
  }
  throw new Error("expected a VastError");
}

describe("API token credential", () => {
  it("lists, creates, shows, modifies and revokes, with the Api-Token scheme and trailing slashes", async () => {
    const api = await setUp(apiToken("admin"));
    const created = await api.create({ name: "ci", expiry_date: "30D" });
    expect(created.token).toMatch(new RegExp(`^${created.id}\\.[A-Za-z0-9]{32}$`));
    expect(created.id).toMatch(/^[A-Za-z0-9]{8}$/);

    const shown = await api.show(created.id);
    expect(shown).toEqual({
      id: created.id,
      name: "ci",
      owner: "admin",
      created: new Date(START).toISOString(),
      expiryDate: new Date(START + 30 * DAY).toISOString(),
      lastUsed: null,
      revoked: false,
      revocationTime: null,
      expiryReadAsUtc: false,
    });

    simNow = START + 10 * DAY;
    await api.modify(created.id, { name: "ci-2", expiry_date: "20D" });
    expect(await api.show(created.id)).toMatchObject({ name: "ci-2", expiryDate: new Date(START + 20 * DAY).toISOString() });

    await api.revoke(created.id);
    await api.revoke(created.id); // terminal and idempotent
    expect((await api.list()).map((t) => t.id)).not.toContain(created.id);
    expect((await api.list({ archived: true })).find((t) => t.id === created.id)).toMatchObject({ revoked: true });
    expect(await api.show(created.id)).toMatchObject({ revoked: true, revocationTime: new Date(simNow).toISOString() });

    expect(sim!.requests.every((r) => r.authScheme === "Api-Token" && r.path.startsWith("/api/latest/") && r.path.endsWith("/"))).toBe(true);
    expect(calls()).toContain(`PATCH /api/latest/apitokens/${created.id}/revoke/ 200`);
  });

  it("filters by owner, name and IDs", async () => {
    const api = await setUp(apiToken("admin"));
    const a = sim!.seedToken({ owner: "manager", name: "a" });
    sim!.seedToken({ owner: "manager", name: "b" });
    expect((await api.list({ owner: "manager", name: "a" })).map((t) => t.id)).toEqual([a.id]);
    expect((await api.list({ ids: [a.id] })).map((t) => t.id)).toEqual([a.id]);
    expect(sim!.requests.at(-1)?.query).toBe(`id__in=${a.id}`);
  });

  it("never puts a whole ID.SECRET into a path", async () => {
    const api = await setUp(apiToken("admin"));
    const { token } = sim!.seedToken({ owner: "admin" });
    const error = await rejection(api.show(token));
    expect(error.kind).toBe("validation");
    expect(error.message).not.toContain(token);
    expect(sim!.requests).toHaveLength(0);
  });

  it("answers undefined for an unknown token", async () => {
    const api = await setUp(apiToken("admin"));
    expect(await api.show("Zz9Zz9Zz")).toBeUndefined();
  });

  it("reads who it is, the cap and the password settings", async () => {
    const api = await setUp(apiToken("admin"), {}, { settings: { maxApiTokensPerUser: 7 } });
    expect(await api.whoAmI()).toEqual({ username: "admin", userType: "SUPER_ADMIN", tenant: undefined });
    const cluster = await api.cluster();
    expect(cluster).toEqual({ id: "1", maxTokensPerUser: 7 });
    expect(await api.pwdSettings(cluster!)).toEqual({ expirationTimeout: "180D", expirationTimeoutMs: 180 * DAY, expirationEnabled: true });
  });

  it("tolerates being denied the cap and the password settings", async () => {
    const api = await setUp(apiToken("manager"));
    expect(await api.cluster()).toBeUndefined();
    expect(await api.pwdSettings({ id: "1" })).toBeUndefined();
  });
});

describe("password credentials", () => {
  it("authenticate with Basic on every request", async () => {
    const api = await setUp(password("admin"), { passwordScheme: "basic" });
    await api.list();
    expect(sim!.requests.map((r) => r.authScheme)).toEqual(["Basic"]);
  });

  it("log in for a JWT session and send it as Bearer", async () => {
    const api = await setUp(password("admin"));
    await api.list();
    await api.list();
    expect(calls()).toEqual(["POST /api/latest/token/ 200", "GET /api/latest/apitokens/ 200", "GET /api/latest/apitokens/ 200"]);
    expect(sim!.requests[1]?.authScheme).toBe("Bearer");
  });

  it("refresh an access token VMS rejects as expired, then log in again once the refresh token expired too", async () => {
    const api = await setUp(password("admin"));
    await api.list();
    simNow = START + 2 * 3_600_000; // the client's clock lags: VMS rejects, the client renews
    await api.list();
    simNow = START + 2 * DAY;
    await api.list();
    expect(calls()).toEqual([
      "POST /api/latest/token/ 200",
      "GET /api/latest/apitokens/ 200",
      "GET /api/latest/apitokens/ 403",
      "POST /api/latest/token/refresh/ 200",
      "GET /api/latest/apitokens/ 200",
      "GET /api/latest/apitokens/ 403",
      "POST /api/latest/token/refresh/ 401",
      "POST /api/latest/token/ 200",
      "GET /api/latest/apitokens/ 200",
    ]);
  });

  it("renew a session close to expiry before sending a create", async () => {
    const api = await setUp(password("admin"));
    await api.list();
    clientNow = simNow = START + 3_600_000 - 30_000;
    await api.create({ name: "x" });
    expect(calls().slice(2)).toEqual(["POST /api/latest/token/refresh/ 200", "POST /api/latest/apitokens/ 201"]);
  });

  it("never re-send a create whose session VMS rejected, and say it was not applied", async () => {
    const api = await setUp(password("admin"));
    await api.list();
    simNow = START + 2 * 3_600_000;
    const error = await rejection(api.create({ name: "x" }));
    expect(error).toMatchObject({ kind: "unauthorized", details: { mayHaveApplied: false } });
    expect(error.message).toMatch(/not created; it is safe to try again/);
    expect(sim!.requests.filter((r) => r.method === "POST" && r.path.endsWith("/apitokens/"))).toHaveLength(1);
    expect(sim!.tokens()).toHaveLength(0);
  });

  it("report a refused password naming the variables", async () => {
    const api = await setUp(() => ({ kind: "password", username: "admin", password: "wrong" }));
    const error = await rejection(api.list());
    expect(error).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(error.message).toMatch(/VAST_USERNAME/);
    expect(error.message).not.toContain("wrong");
  });
});

describe("tenant header", () => {
  const tenantAdmin = { username: "ta", password: "ta-password", userType: "TENANT_ADMIN" as const, tenant: "t1", rights: [], readsSettings: false };

  it("is sent on every request, the login included, when configured", async () => {
    const api = await setUp(password("ta"), { tenant: "t1" }, { users: [tenantAdmin] });
    await api.list();
    expect(sim!.requests.map((r) => r.tenant)).toEqual(["t1", "t1"]);
  });

  it("is sent with an API token too", async () => {
    const api = await setUp(apiToken("ta"), { tenant: "t1" }, { users: [tenantAdmin] });
    expect(await api.whoAmI()).toEqual({ username: "ta", userType: "TENANT_ADMIN", tenant: "t1" });
  });

  it("is named when a credential sent under it is refused", async () => {
    const api = await setUp(apiToken("ta"), { tenant: "t2" }, { users: [tenantAdmin] });
    const error = await rejection(api.list());
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toContain('under the tenant "t2" (VAST_TENANT)');
  });

  it("is not sent when not configured", async () => {
    const api = await setUp(apiToken("admin"));
    await api.list();
    expect(sim!.requests[0]?.tenant).toBeUndefined();
  });
});

describe("403: bad credential or RBAC denial", () => {
  const viewer = { username: "viewer", password: "viewer-password", userType: "SUPER_ADMIN" as const, rights: ["View" as const], readsSettings: false };

  it("is a denial naming the missing right at once when the body says permission_denied", async () => {
    const api = await setUp(apiToken("viewer"), {}, { users: [viewer, { ...viewer, username: "other", rights: [] }] });
    const other = sim!.seedToken({ owner: "other" });
    const error = await rejection(api.revoke(other.id));
    expect(error).toMatchObject({ kind: "forbidden", status: 403, details: { right: "Delete", mayHaveApplied: false } });
    expect(error.message).toMatch(/Security realm Delete permission/);
    expect(calls()).toEqual([`PATCH /api/latest/apitokens/${other.id}/revoke/ 403`]);
  });

  it("is a denial without re-login for a password session too", async () => {
    const api = await setUp(password("viewer"), {}, { users: [viewer, { ...viewer, username: "other", rights: [] }] });
    const other = sim!.seedToken({ owner: "other" });
    expect(await rejection(api.revoke(other.id))).toMatchObject({ kind: "forbidden", details: { right: "Delete" } });
    expect(calls()).toEqual(["POST /api/latest/token/ 200", `PATCH /api/latest/apitokens/${other.id}/revoke/ 403`]);
  });

  it("is a denial naming the missing right when the credential check passes", async () => {
    const api = await setUp(apiToken("viewer"), {}, { users: [viewer, { ...viewer, username: "other", rights: [] }], denialsWithoutCode: true });
    const other = sim!.seedToken({ owner: "other" });
    const error = await rejection(api.revoke(other.id));
    expect(error).toMatchObject({ kind: "forbidden", status: 403, details: { right: "Delete", mayHaveApplied: false } });
    expect(error.message).toMatch(/Security realm Delete permission/);
    expect(calls().slice(-1)).toEqual(["GET /api/latest/apitokens/ 200"]);

    await rejection(api.modify(other.id, { name: "n" }));
    expect(calls().slice(-1)[0]).toMatch(/^PATCH/); // the passed check is cached
  });

  it("is an unusable credential when the check fails too", async () => {
    const api = await setUp(apiToken("admin"));
    const own = sim!.tokens()[0]?.id as string;
    sim!.seedToken({ owner: "admin" });
    sim!.injectFault({ kind: "status", status: 403, body: JSON.stringify({ detail: "Invalid API token." }), match: { method: "PATCH" } });
    sim!.injectFault({ kind: "status", status: 403, body: JSON.stringify({ detail: "Invalid API token." }), match: { method: "GET" } });
    const error = await rejection(api.revoke(own));
    expect(error).toMatchObject({ kind: "unauthorized", details: { mayHaveApplied: false, hint: "Invalid API token." } });
  });

  it("treats a revoked server credential as unusable", async () => {
    const api = await setUp(apiToken("admin"));
    const own = sim!.tokens()[0]?.id as string;
    await api.revoke(own);
    expect(await rejection(api.list())).toMatchObject({ kind: "unauthorized", status: 403 });
  });
});

describe("error replies", () => {
  it.each([
    ['{"detail":"Invalid expiry"}', "Invalid expiry"],
    ['"API key not found"', "API key not found"],
    ['{"name":["This field may not be blank."],"owner":["x"]}', "This field may not be blank."],
    ["<html><body>Not Found</body></html>", undefined],
    ["", undefined],
    ["[1,2]", undefined],
    ['{"detail":{"nested":1}}', undefined],
  ])("decodes VMS's message from %j", (body, message) => {
    expect(upstreamMessage(body)).toBe(message);
  });

  it("map a bad expiry to a validation error with a short hint", async () => {
    const api = await setUp(apiToken("admin"));
    const error = await rejection(api.create({ expiry_date: "1.5D" }));
    expect(error).toMatchObject({ kind: "validation", status: 400, details: { mayHaveApplied: false } });
    expect(error.details.hint).toMatch(/^Invalid expiry date format/);
    expect(error.message).not.toContain("Invalid expiry");
  });

  it("map a field error and a JSON-string 404", async () => {
    const api = await setUp(apiToken("admin"));
    expect((await rejection(api.create({ name: " " }))).details.hint).toBe("This field may not be blank.");
    const error = await rejection(api.modify("Zz9Zz9Zz", { name: "n" }));
    expect(error).toMatchObject({ kind: "not-found", details: { hint: "API key not found" } });
    expect(error.details.unknownPath).toBeUndefined();
  });

  it("tell an HTML 404 (no such API path) from an unknown token", async () => {
    const api = await setUp(apiToken("admin"));
    sim!.injectFault({ kind: "status", status: 404, body: "<html>Not Found</html>", contentType: "text/html" });
    const error = await rejection(api.show("Zz9Zz9Zz"));
    expect(error).toMatchObject({ kind: "not-found", details: { unknownPath: true } });
    expect(error.message).toMatch(/VAST_API_VERSION/);
  });

  it("never follow a redirect, and say a redirected write was not made", async () => {
    const api = await setUp(apiToken("admin"));
    sim!.injectFault({ kind: "status", status: 301, body: "", headers: { Location: "/api/latest/apitokens/" } });
    const error = await rejection(api.create({ name: "x" }));
    expect(error).toMatchObject({ kind: "redirect", status: 301, details: { mayHaveApplied: false } });
    expect(error.message).toMatch(/VAST_URL/);
    expect(sim!.requests).toHaveLength(1);
  });

  it("report the per-user cap from the 503, without retrying", async () => {
    const api = await setUp(apiToken("admin"));
    for (let i = 0; i < 4; i++) sim!.seedToken({ owner: "admin" });
    const error = await rejection(api.create({ name: "sixth" }));
    expect(error).toMatchObject({ kind: "cap-reached", status: 503, details: { mayHaveApplied: false } });
    expect(sim!.requests).toHaveLength(1);
  });

  it("a 503 naming the cap is the cap on any request", async () => {
    const api = await setUp(apiToken("admin"));
    sim!.injectFault({ kind: "status", status: 503, body: '"Service Unavailable - Max allowed API tokens reached"' });
    expect((await rejection(api.list())).kind).toBe("cap-reached");
    expect(sim!.requests).toHaveLength(1);
  });

  it("a 2xx that is not JSON is a bad reply", async () => {
    const api = await setUp(apiToken("admin"));
    sim!.injectFault({ kind: "status", status: 200, body: "{not json" });
    expect((await rejection(api.list())).kind).toBe("bad-reply");
  });
});

describe("retries and lost replies", () => {
  it("retry a GET on 5xx, resets and a cut body, then succeed", async () => {
    const api = await setUp(apiToken("admin"), { maxRetries: 3 });
    sim!.injectFault({ kind: "status", status: 502, body: "<html>Bad gateway</html>", contentType: "text/html" });
    sim!.injectFault({ kind: "reset" });
    sim!.injectFault({ kind: "truncate" });
    expect(await api.list()).toHaveLength(1);
    expect(sim!.requests).toHaveLength(4);
  });

  it("give up on a GET after the retries", async () => {
    const api = await setUp(apiToken("admin"));
    for (let i = 0; i < 3; i++) sim!.injectFault({ kind: "status", status: 500 });
    expect(await rejection(api.list())).toMatchObject({ kind: "upstream", status: 500, details: { mayHaveApplied: false } });
    expect(sim!.requests).toHaveLength(3);
  });

  it("never re-send a create whose reply was a 5xx after it was applied", async () => {
    const api = await setUp(apiToken("admin"));
    sim!.injectFault({ kind: "applyThenFail", reply: 500, match: { method: "POST" } });
    const error = await rejection(api.create({ name: "lost" }));
    expect(error).toMatchObject({ kind: "upstream", details: { mayHaveApplied: true } });
    expect(sim!.requests).toHaveLength(1);
    expect(sim!.tokens().filter((t) => t.name === "lost")).toHaveLength(1);
  });

  it("never re-send a create whose connection was cut after it was applied", async () => {
    const api = await setUp(apiToken("admin"));
    sim!.injectFault({ kind: "applyThenFail", reply: "reset", match: { method: "POST" } });
    expect(await rejection(api.create({ name: "lost" }))).toMatchObject({ kind: "network", details: { mayHaveApplied: true } });
    expect(sim!.requests).toHaveLength(1);
    expect(sim!.tokens().filter((t) => t.name === "lost")).toHaveLength(1);
  });

  it("time out a write as possibly applied, and a read as not", async () => {
    const api = await setUp(apiToken("admin"), { timeoutMs: 150, maxRetries: 0 });
    const release = gate();
    sim!.injectFault({ kind: "hold", release: release.promise, match: { method: "POST" } });
    sim!.injectFault({ kind: "hold", release: release.promise, match: { method: "GET" } });
    expect(await rejection(api.create({ name: "slow" }))).toMatchObject({ kind: "timeout", details: { mayHaveApplied: true } });
    expect(await rejection(api.list())).toMatchObject({ kind: "timeout", details: { mayHaveApplied: false } });
    release.release();
  });

  it("finish a sent create even when the caller cancels", async () => {
    const api = await setUp(apiToken("admin"));
    const release = gate();
    sim!.injectFault({ kind: "hold", release: release.promise, match: { method: "POST" } });
    const cancel = new AbortController();
    const created = api.create({ name: "kept" }, cancel.signal);
    await vi.waitFor(() => expect(sim!.requests.some((r) => r.method === "POST")).toBe(true), { timeout: 20_000 });
    cancel.abort();
    release.release();
    expect((await created).token).toMatch(/^[A-Za-z0-9]{8}\./);
  });

  it("stop a read when the caller cancels", async () => {
    const api = await setUp(apiToken("admin"));
    const release = gate();
    sim!.injectFault({ kind: "hold", release: release.promise });
    const cancel = new AbortController();
    const listed = api.list({}, cancel.signal);
    await vi.waitFor(() => expect(sim!.requests).toHaveLength(1), { timeout: 20_000 });
    cancel.abort();
    expect(await rejection(listed)).toMatchObject({ kind: "cancelled", message: "The request was cancelled." });
    release.release();
  });
});

describe("list pages", () => {
  it("follow a DRF envelope's next link on VMS's own origin only", async () => {
    const api = await setUp(apiToken("admin"));
    const own = sim!.tokenJson(sim!.tokens()[0]?.id as string);
    const second = sim!.seedToken({ owner: "admin" });
    sim!.injectFault({
      kind: "status",
      status: 200,
      body: JSON.stringify({ count: 2, next: "https://elsewhere.example/api/latest/apitokens/?page=2", previous: null, results: [own] }),
    });
    sim!.injectFault({ kind: "status", status: 200, body: JSON.stringify({ count: 2, next: null, results: [sim!.tokenJson(second.id)] }) });
    expect((await api.list()).map((t) => t.id)).toEqual([own?.id, second.id]);
    expect(calls()).toEqual(["GET /api/latest/apitokens/ 200", "GET /api/latest/apitokens/?page=2 200"]);
  });
});

describe("parseRfc3339", () => {
  it.each([
    ["2025-02-19T11:30:04Z", "2025-02-19T11:30:04.000Z"],
    ["2025-02-19T11:30:04.123456Z", "2025-02-19T11:30:04.123Z"],
    ["2025-02-19T13:30:04.5+02:00", "2025-02-19T11:30:04.500Z"],
    ["2025-02-19 06:00:00-05:30", "2025-02-19T11:30:00.000Z"],
    ["2025-02-19T11:30:04.123456+0000", "2025-02-19T11:30:04.123Z"],
  ])("reads %s", (text, iso) => {
    expect(parseRfc3339(text)).toBe(iso);
  });

  it.each(["2025-02-19", "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-02-19T11:30:04", "yesterday"])("rejects %s", (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

it("VastError is recognised by kind", () => {
  expect(isVastError(new VastError("timeout", "x"), "timeout")).toBe(true);
  expect(isVastError(new Error("x"))).toBe(false);
});

it("a login that times out leaves the request it was made for not applied", async () => {
  const api = await setUp(password("admin"), { timeoutMs: 150 });
  const held = gate();
  sim!.injectFault({ kind: "hold", release: held.promise, match: { pathEndsWith: "/token/" } });
  expect(await rejection(api.create({ name: "x" }))).toMatchObject({ kind: "timeout", details: { mayHaveApplied: false } });
  expect(sim!.requests.filter((r) => r.path.endsWith("/apitokens/"))).toHaveLength(0);
  held.release();
});
