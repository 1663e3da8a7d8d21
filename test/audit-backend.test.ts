import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./support/harness.js";
import { startVastHarness, type VastHarness } from "./support/vast-harness.js";

/** Every audit journal line names the backend that served the call, so two servers' journals read together. */

let dir: string;
let running: (Harness | VastHarness)[] = [];

afterEach(async () => {
  for (const harness of running) await harness.close();
  running = [];
  await rm(dir, { recursive: true, force: true });
});

async function journal(file: string): Promise<{ text: string; lines: Record<string, unknown>[] }> {
  const text = await readFile(file, "utf8");
  return { text, lines: text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("audit journal lines carry the backend", () => {
  it('SolarNetwork: "backend":"solarnetwork" on every attempt and outcome', async () => {
    dir = await mkdtemp(join(tmpdir(), "sn-audit-backend-"));
    const file = join(dir, "audit.jsonl");
    const h = await startHarness({ env: { SN_MCP_AUDIT_LOG: file } });
    running.push(h);
    const created = await h.call("create_token", { type: "ReadNodeData", name: "audited", nodeIds: [1] });
    const { token, secret } = created.structuredContent as { token: { id: string }; secret: string };
    await h.call("delete_token", { tokenId: token.id });

    const { text, lines } = await journal(file);
    expect(lines.map((line) => [line.backend, line.tool, line.phase])).toEqual([
      ["solarnetwork", "create_token", "attempt"],
      ["solarnetwork", "create_token", "outcome"],
      ["solarnetwork", "delete_token", "attempt"],
      ["solarnetwork", "delete_token", "outcome"],
    ]);
    expect(text).not.toContain(secret);
  });

  it('VAST: "backend":"vast" on every attempt and outcome, never the ID.SECRET or the server\'s own token', async () => {
    dir = await mkdtemp(join(tmpdir(), "sn-audit-backend-"));
    const file = join(dir, "audit.jsonl");
    const h = await startVastHarness({ env: { SN_MCP_AUDIT_LOG: file } });
    running.push(h);
    const created = await h.call("create_token", { name: "audited", expiresIn: "1D" });
    const { token, secret } = created.structuredContent as { token: { id: string }; secret: string };
    await h.call("update_token", { tokenId: token.id, name: "renamed" });
    await h.call("revoke_token", { tokenId: token.id });

    const { text, lines } = await journal(file);
    expect(lines.map((line) => [line.backend, line.tool, line.phase, line.outcome])).toEqual([
      ["vast", "create_token", "attempt", undefined],
      ["vast", "create_token", "outcome", "applied"],
      ["vast", "update_token", "attempt", undefined],
      ["vast", "update_token", "outcome", "applied"],
      ["vast", "revoke_token", "attempt", undefined],
      ["vast", "revoke_token", "outcome", "applied"],
    ]);
    // The field sits next to the time, where a reader of mixed journals looks first.
    expect(Object.keys(lines[0] ?? {}).slice(0, 2)).toEqual(["time", "backend"]);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.split(".")[1]);
    expect(text).not.toContain(h.admin.token.split(".")[1]);
  });
});
