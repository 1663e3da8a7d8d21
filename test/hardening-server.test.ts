import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { startLocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { SolarNetworkClient } from "../src/backends/solarnetwork/client.js";
import { SolarNetworkError } from "../src/backends/solarnetwork/errors.js";
import { secretKeySource } from "../src/backends/solarnetwork/signing-key.js";
import { SolarNetworkTokenService } from "../src/backends/solarnetwork/api.js";
import { configError, gate, startHarness, textOf, type Harness } from "./support/harness.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Turns the journal file into a directory, so that the next append fails. */
function breakJournal(file: string): void {
  rmSync(file, { force: true });
  mkdirSync(file);
}

describe("an audit journal that fails", () => {
  it("after a create went through, still hands over the secret and says the entry failed", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "sn-audit-")), "audit.jsonl");
    writeFileSync(file, "");
    // The question comes after the attempt line and before the create: break the journal then.
    h = await startHarness({ env: { SN_MCP_AUDIT_LOG: file }, elicit: () => (breakJournal(file), { action: "accept", content: { allow: true } }) });
    const result = await h.call("create_token", { type: "User", apiPaths: ["/datum/**"], expiresIn: "1D" });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect((result.structuredContent as Json).secret).toMatch(/.{8,}/);
    expect(textOf(result)).toMatch(/writing its audit entry failed/);
    expect(h.logs.join("\n")).toMatch(/AUDIT JOURNAL WRITE FAILED/);
  });

  it("before a change, refuses it naming SN_MCP_AUDIT_LOG and sends nothing", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "sn-audit-")), "audit.jsonl");
    h = await startHarness({ env: { SN_MCP_AUDIT_LOG: file } });
    breakJournal(file);
    h.mark();
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/SN_MCP_AUDIT_LOG.*nothing was sent/);
    expect(h.requestsSinceMark()).toBe(0);
  });
});

describe("confirmation questions", () => {
  it("are redacted: the server's secret never reaches the person's screen through a token name", async () => {
    const questions: string[] = [];
    h = await startHarness({ elicit: (message) => (questions.push(message), { action: "decline" }) });
    const named = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D", name: "n" });
    const id = (named.structuredContent as Json).token.id;
    h.solarUser.seedToken({ type: "ReadNodeData", userId: 123 }); // unrelated
    // A name holding the server's secret (as a careless person might paste it).
    const renamed = await h.call("update_token", { tokenId: id, name: `x ${h.admin.secret}` });
    expect(renamed.isError, textOf(renamed)).toBeFalsy();
    await h.call("delete_token", { tokenId: id });
    expect(questions).toHaveLength(1);
    expect(questions[0]).not.toContain(h.admin.secret);
    expect(questions[0]).toContain("[REDACTED]");
  });

  it("that get no answer say that nothing was applied", async () => {
    h = await startHarness({ elicit: () => { throw new Error("client gave up"); } });
    const result = await h.call("create_token", { type: "User", apiPaths: ["/datum/**"], expiresIn: "1D" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/No answer came to the confirmation question.*nothing was changed/);
    expect(textOf(result)).not.toMatch(/unexpected/i);
  });
});

describe("arguments", () => {
  it("refuses __proto__ like any other unknown key, before anything is sent", async () => {
    h = await startHarness();
    h.mark();
    const args = JSON.parse('{"type":"ReadNodeData","nodeIds":[1],"__proto__":{"nodeIds":[2]}}') as Record<string, unknown>;
    const result = await h.call("create_token", args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Unknown argument "__proto__"/);
    expect(h.requestsSinceMark()).toBe(0);
  });

  it("that are invalid do not use up the write rate limit", async () => {
    h = await startHarness({ env: { SN_MCP_RATE_LIMIT_WRITES: "2" } });
    for (let i = 0; i < 5; i++) await h.call("create_token", { type: "Nope" });
    const first = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" });
    expect(first.isError, textOf(first)).toBeFalsy();
  });
});


describe("SN_MCP_AUDIT_LOG and SN_MCP_SECRET_DIR at start-up", () => {
  const base = { SN_URL: "http://127.0.0.1:1", SN_TOKEN: "a".repeat(20), SN_TOKEN_SECRET: "s".repeat(20) };
  const fileDelivery = (dir: string) => ({ ...base, SN_MCP_SECRET_DELIVERY: "file", SN_MCP_SECRET_DIR: dir });

  it("refuse a relative path, a symbolic link, the wrong kind and a group-writable one, naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "sn-paths-"));
    const file = join(dir, "audit.jsonl");
    writeFileSync(file, "");
    symlinkSync(file, join(dir, "link.jsonl"));
    mkdirSync(join(dir, "shared"), { mode: 0o777 });
    chmodSync(join(dir, "shared"), 0o777);
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...base, SN_MCP_AUDIT_LOG: "audit.jsonl" }, /^SN_MCP_AUDIT_LOG: .*not an absolute path/],
      [{ ...base, SN_MCP_AUDIT_LOG: join(dir, "link.jsonl") }, /^SN_MCP_AUDIT_LOG: .*symbolic link/],
      [{ ...base, SN_MCP_AUDIT_LOG: dir }, /^SN_MCP_AUDIT_LOG: .*not a file/],
      [{ ...base, SN_MCP_AUDIT_LOG: join(file, "x") }, /^SN_MCP_AUDIT_LOG: .*cannot be created/],
      [fileDelivery(file), /^SN_MCP_SECRET_DIR: .*not a directory/],
      [fileDelivery(join(dir, "shared")), /^SN_MCP_SECRET_DIR: .*writable by group or others/],
    ];
    for (const [env, message] of cases) expect(configError(() => readConfig(env)).message).toMatch(message);
    expect(readConfig({ ...base, SN_MCP_AUDIT_LOG: join(dir, "new", "audit.jsonl") }).auditLog).toBe(join(dir, "new", "audit.jsonl"));
  });

  it("a secret directory that becomes unusable later is named at call time, before anything is minted", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "sn-secrets-")), "secrets");
    h = await startHarness({ env: { SN_MCP_SECRET_DELIVERY: "file", SN_MCP_SECRET_DIR: dir } });
    writeFileSync(dir, "now a file");
    h.mark();
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" });
    expect(textOf(result)).toMatch(/SN_MCP_SECRET_DIR.*no token was created/);
    expect(h.requestsSinceMark()).toBe(0);
  });
});

describe("a write queued behind slow requests", () => {
  it("is given up unsent when no connection frees in time, and its timeout never counts the wait", async () => {
    const solarUser = await startLocalSolarUser();
    const admin = solarUser.seedToken({ type: "User", userId: 123 });
    const client = new SolarNetworkClient({
      baseUrl: solarUser.url,
      tokenId: admin.id,
      keys: secretKeySource(admin.secret, () => undefined),
      timeoutMs: 60_000,
      queueTimeoutMs: 100,
    });
    const tokens = new SolarNetworkTokenService(client);
    const release = gate();
    try {
      for (let i = 0; i < 4; i++) solarUser.injectFault({ match: { pathEndsWith: "/find" }, kind: "hold", release: release.promise });
      const slow = Array.from({ length: 4 }, () => tokens.list({}));
      await vi.waitFor(() => expect(solarUser.requests.filter((r) => r.path.endsWith("/find"))).toHaveLength(4), { timeout: 20_000 });
      const error = await tokens.create("ReadNodeData", { nodeIds: [1] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SolarNetworkError);
      expect((error as SolarNetworkError).kind).toBe("busy");
      expect((error as SolarNetworkError).details.mayHaveApplied).toBeFalsy();
      expect(solarUser.requests.some((r) => r.path.includes("/generate/"))).toBe(false);
      release.resolve();
      await Promise.all(slow);
      // With the connections free again, the same create goes through.
      expect((await tokens.create("ReadNodeData", { nodeIds: [1] })).secret).toBeTruthy();
    } finally {
      release.resolve();
      await client.close();
      await solarUser.close();
    }
  });
});
