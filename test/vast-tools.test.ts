import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { textOf } from "./support/harness.js";
import { DEFAULT_VMS_USERS, type VmsUser } from "../src/simulators/vast/server.js";
import { ALLOW, DECLINE, startVastHarness, type VastHarness } from "./support/vast-harness.js";

/** The VAST backend's tools through a real MCP client, against the VMS simulator. */

const DAY = 86_400_000;
let harness: VastHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: Parameters<typeof startVastHarness>[0] = {}): Promise<VastHarness> {
  harness = await startVastHarness(options);
  return harness;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of structured results
type Structured = Record<string, any>;
const structured = (result: { structuredContent?: unknown }) => result.structuredContent as Structured;

describe("VAST tools", () => {
  it("lists the VMS tools with all hints, and no delete or disable", async () => {
    const { client } = await start();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["list_tokens", "create_token", "update_token", "revoke_token", "review_tokens", "retire_assistant_tokens", "rotate_token"]);
    for (const tool of tools) {
      expect(Object.keys(tool.annotations ?? {})).toEqual(expect.arrayContaining(["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]));
      expect(tool.outputSchema).toBeDefined();
    }
    expect(tools.find((tool) => tool.name === "revoke_token")?.annotations?.destructiveHint).toBe(true);
    expect(JSON.stringify(tools.find((tool) => tool.name === "update_token")?.inputSchema)).not.toContain("status");
  });

  it("creates a token with the default name, an expiry counted from now, and shows ID.SECRET once", async () => {
    const h = await start();
    const result = await h.call("create_token", { expiresIn: "30D" });
    expect(result.isError).toBeFalsy();
    const { token, secret, warnings } = structured(result);
    expect(token).toMatchObject({ name: expect.stringMatching(/^admin_api_token \[ai \d{8}T\d{4}Z n[a-z2-7]{5}\]$/), owner: "admin", status: "Active" });
    expect(secret).toMatch(new RegExp(`^${token.id}\\.[A-Za-z0-9]+$`));
    expect(warnings[0]).toMatch(/shown only now/);
    const expires = Date.parse(token.expires);
    expect(expires).toBeLessThanOrEqual(Date.parse(token.created) + 30 * DAY + 1_000);
    expect(expires).toBeGreaterThan(Date.now() + 30 * DAY - 60_000);
    expect(h.vms.tokens().find((stored) => stored.id === token.id)).toMatchObject({ owner: "admin", revoked: false });

    const listed = await h.call("list_tokens", {});
    expect(textOf(listed)).not.toContain(secret.split(".")[1]);
    expect(structured(listed).tokens.map((t: Structured) => t.id)).toContain(token.id);
    // Registered for redaction in both forms: an echo of either never reaches the model again.
    const echo = await h.call("list_tokens", { search: secret.split(".")[1] });
    expect(textOf(echo)).not.toContain(secret.split(".")[1]);
  });

  it("finds its own user from its own token when login/ will not answer an API token", async () => {
    const h = await start({ vms: { loginRefusesApiTokens: true } });
    const result = await h.call("create_token", { expiresIn: "7D" });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(structured(result).token).toMatchObject({ owner: "admin", name: expect.stringMatching(/^admin_api_token /) });
  });

  it("creates without an expiry although the cluster's password settings cannot be read", async () => {
    const h = await start();
    h.vms.injectFault({ match: { pathEndsWith: "/pwd_settings/" }, kind: "status", status: 500 });
    h.vms.injectFault({ match: { pathEndsWith: "/pwd_settings/" }, kind: "status", status: 500 });
    h.vms.injectFault({ match: { pathEndsWith: "/pwd_settings/" }, kind: "status", status: 500 });
    const result = await h.call("create_token", { name: "no expiry asked" });
    expect(result.isError, textOf(result)).toBeFalsy();
  });

  it("reads the cluster's settings once for creates a minute apart at most", async () => {
    const h = await start();
    h.mark();
    for (const name of ["one", "two"]) expect((await h.call("create_token", { name, expiresIn: "1D" })).isError).toBeFalsy();
    expect(h.vms.requests.filter((request) => request.path.endsWith("/vms/"))).toHaveLength(1);
  });

  it("reads an absolute expiry in the given time zone and never lets the token outlive it", async () => {
    const h = await start();
    const year = new Date().getUTCFullYear() + 1;
    const result = await h.call("create_token", { name: "reports", expirationDate: `${year}-03-31`, timeZone: "Pacific/Auckland" });
    expect(result.isError).toBeFalsy();
    const target = Date.parse(`${year}-03-31T00:00:00+13:00`);
    const expires = Date.parse(structured(result).token.expires);
    expect(expires).toBeLessThanOrEqual(target);
    expect(expires).toBeGreaterThan(target - 2_000);
  });

  it("refuses an expiry beyond the cluster's longest lifetime before sending anything", async () => {
    const h = await start();
    h.mark();
    const result = await h.call("create_token", { expiresIn: "1Y" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/expiresIn.*later than this cluster allows/);
    expect(h.sentSinceMark("POST")).toBe(0);
  });

  it("bounds other owners by VAST_ALLOWED_OWNERS and asks the person first", async () => {
    let h = await start();
    let result = await h.call("create_token", { owner: "secops" });
    expect(textOf(result)).toMatch(/VAST_ALLOWED_OWNERS/);
    await h.close();

    h = await start({ env: { VAST_ALLOWED_OWNERS: "secops" }, elicit: () => DECLINE });
    h.mark();
    result = await h.call("create_token", { owner: "secops" });
    expect(textOf(result)).toMatch(/did not allow/);
    expect(h.questions[0]).toMatch(/«secops»/);
    expect(h.sentSinceMark("POST")).toBe(0);
    await h.close();

    h = await start({ env: { VAST_ALLOWED_OWNERS: "secops" }, elicit: () => ALLOW });
    result = await h.call("create_token", { owner: "secops", name: "backup job" });
    expect(structured(result).token).toMatchObject({ owner: "secops", name: expect.stringMatching(/^backup job \[ai /) });
  });

  it("refuses a create over the owner's cap before asking VMS, counting the server's own token", async () => {
    const h = await start();
    for (let i = 0; i < 4; i++) h.vms.seedToken({ owner: "admin", name: `t${i}` });
    h.mark();
    const result = await h.call("create_token", {});
    expect(textOf(result)).toMatch(/Owner admin already has 5 of 5 valid tokens \(this server's own token is one of them\).*revoke_token/);
    expect(h.sentSinceMark("POST")).toBe(0);
  });

  it("revokes the orphan of a create whose reply was lost, and never says to try again while unsure", async () => {
    const h = await start();
    h.vms.injectFault({ match: { method: "POST" }, kind: "applyThenFail", reply: "reset" });
    const result = await h.call("create_token", { name: "lost" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/revoked again\. Nothing is left behind/);
    const lost = h.vms.tokens().filter((token) => token.name.startsWith("lost [ai "));
    expect(lost).toHaveLength(1);
    expect(lost[0]?.revoked).toBe(true);
  });

  it("does not call a lost create for another owner harmless when this server cannot see that owner's tokens", async () => {
    const users: VmsUser[] = DEFAULT_VMS_USERS.map((user) => (user.username === "admin" ? { ...user, rights: ["Create", "Edit", "Delete"] } : user));
    const h = await start({ vms: { users }, env: { VAST_ALLOWED_OWNERS: "secops" }, elicit: () => ALLOW });
    h.vms.injectFault({ match: { method: "POST" }, kind: "applyThenFail", reply: "reset" });
    const result = await h.call("create_token", { owner: "secops", name: "hidden" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/may not show this server that owner's tokens.*revoke any new token named «hidden/);
    expect(textOf(result)).not.toMatch(/safe to create/);
    expect(h.vms.tokens().filter((token) => token.owner === "secops" && !token.revoked)).toHaveLength(1);
  });

  it("says so when VMS ends a new token earlier than asked", async () => {
    const h = await start({ vms: { now: () => Date.now() - 60_000 } });
    const result = await h.call("create_token", { expiresIn: "30D" });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(structured(result).warnings.join(" ")).toMatch(/earlier than asked .*clock is behind/);
  });

  it("still delivers the secret when reading the new token back fails", async () => {
    const h = await start();
    // GETs are retried twice: every attempt at reading the new token back fails.
    for (let i = 0; i < 3; i++) h.vms.injectFault({ match: { method: "GET", pathMatches: /apitokens\/\w+\/$/ }, kind: "status", status: 500 });
    const created = await h.call("create_token", { name: "kept" });
    expect(created.isError).toBeFalsy();
    const { token, secret, warnings } = structured(created);
    expect(secret).toMatch(new RegExp(`^${token.id}\\.`));
    expect(token).toMatchObject({ name: expect.stringMatching(/^kept \[ai /), owner: "admin" });
    expect(warnings.join(" ")).toMatch(/reading it back failed/);
    expect(h.vms.tokens().find((stored) => stored.id === token.id)?.revoked).toBe(false);
  });

  it("writes VAST_API_TOKEN=ID.SECRET to a private file with file delivery", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vast-secrets-"));
    const h = await start({ env: { SN_MCP_SECRET_DELIVERY: "file", SN_MCP_SECRET_DIR: dir } });
    const result = await h.call("create_token", { name: "filed" });
    const { token, secretFile, secret } = structured(result);
    expect(secret).toBeUndefined();
    expect(readdirSync(dir)).toHaveLength(1);
    expect(secretFile).toContain(`vast-token-${token.id}`);
    expect(readFileSync(secretFile, "utf8")).toMatch(new RegExp(`^VAST_API_TOKEN=${token.id}\\.[A-Za-z0-9]+\\n$`));
    if (process.platform !== "win32") expect(statSync(secretFile).mode & 0o777).toBe(0o600);
  });

  it("converts an update's expiry from now to VMS's duration from creation, and confirms a later one", async () => {
    const now = Date.now();
    const h = await start({ elicit: () => ALLOW });
    const { id } = h.vms.seedToken({ owner: "admin", name: "old", created: now - 10 * DAY, expiry: "20D" });
    const result = await h.call("update_token", { tokenId: id, expiresIn: "30D", name: "renamed" });
    expect(result.isError).toBeFalsy();
    const { token, applied } = structured(result);
    expect(applied).toEqual(["name", "expiry"]);
    expect(token.name).toBe("renamed");
    expect(Math.abs(Date.parse(token.expires) - (now + 30 * DAY))).toBeLessThan(60_000);
    expect(h.questions[0]).toMatch(/Change the VAST VMS API token .*This extends its life from /);
  });

  it("changes nothing when the person declines a later expiry", async () => {
    const h = await start({ elicit: () => DECLINE });
    const { id } = h.vms.seedToken({ owner: "admin", name: "keep", expiry: "5D" });
    const before = h.vms.tokenJson(id);
    h.mark();
    const result = await h.call("update_token", { tokenId: id, expiresIn: "30D" });
    expect(textOf(result)).toMatch(/did not allow/);
    expect(h.sentSinceMark("PATCH")).toBe(0);
    expect(h.vms.tokenJson(id)).toEqual(before);
  });

  it("points a disable at revoke_token, and refuses to update a revoked token", async () => {
    const h = await start();
    const { id } = h.vms.seedToken({ owner: "admin", name: "gone", revoked: true });
    const disable = await h.call("update_token", { tokenId: id, status: "Disabled" });
    expect(disable.isError).toBe(true);
    expect(textOf(disable)).toMatch(/revoke_token/);
    const rename = await h.call("update_token", { tokenId: id, name: "x" });
    expect(textOf(rename)).toMatch(/revoked, for good/);
  });

  it("revokes after confirmation, names the server's own token, and is idempotent", async () => {
    const h = await start({ elicit: () => ALLOW });
    const { id } = h.vms.seedToken({ owner: "admin", name: "ci" });
    const first = await h.call("revoke_token", { tokenId: id });
    expect(structured(first)).toEqual({ revoked: id, alreadyRevoked: false });
    expect(h.vms.tokens().find((token) => token.id === id)?.revoked).toBe(true);
    const again = await h.call("revoke_token", { tokenId: id });
    expect(structured(again)).toEqual({ revoked: id, alreadyRevoked: true });

    await h.call("revoke_token", { tokenId: h.admin.id });
    expect(h.questions.at(-1)).toMatch(/this server itself signs in with/);
  });

  it("lists with owner, includeRevoked, search and paging; Expired and Revoked are computed", async () => {
    const now = Date.now();
    const h = await start();
    h.vms.seedToken({ owner: "secops", name: "night backup", created: now - 3 * DAY });
    h.vms.seedToken({ owner: "admin", name: "stale", created: now - 40 * DAY, expiry: "30D" });
    h.vms.seedToken({ owner: "admin", name: "revoked one", revoked: true });
    const all = structured(await h.call("list_tokens", { includeRevoked: true }));
    const statusOf = (name: string) => all.tokens.find((token: Structured) => token.name === name)?.status;
    expect(statusOf("stale")).toBe("Expired");
    expect(statusOf("revoked one")).toBe("Revoked");
    const active = structured(await h.call("list_tokens", {}));
    expect(active.tokens.map((token: Structured) => token.name)).not.toContain("revoked one");
    const secops = structured(await h.call("list_tokens", { owner: "secops" }));
    expect(secops.tokens.map((token: Structured) => token.name)).toEqual(["night backup"]);
    const page = structured(await h.call("list_tokens", { search: "a", limit: 1 }));
    expect(page).toMatchObject({ limit: 1, hasMore: true });
    const pretty = await h.call("list_tokens", { displayMode: "pretty" });
    expect(textOf(pretty)).toMatch(/\| ID +\| Name/);
  });

  it("rejects a whole ID.SECRET as a token ID before anything is sent", async () => {
    const h = await start();
    h.mark();
    const result = await h.call("revoke_token", { tokenId: h.admin.token });
    expect(textOf(result)).toMatch(/Invalid argument "tokenId"[\s\S]*Nothing was sent to VAST VMS/);
    expect(textOf(result)).not.toContain(h.admin.token.split(".")[1]);
    expect(h.sentSinceMark()).toBe(0);
  });

  it("journals each change with the backend, never the new credential", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vast-audit-")), "audit.jsonl");
    const h = await start({ env: { SN_MCP_AUDIT_LOG: file } });
    const { secret } = structured(await h.call("create_token", { name: "journaled" }));
    const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.backend, line.tool, line.phase])).toEqual([
      ["vast", "create_token", "attempt"],
      ["vast", "create_token", "outcome"],
    ]);
    expect(readFileSync(file, "utf8")).not.toContain(secret.split(".")[1]);
  });

  it("never lets the server's own secret, or a new secret after its one reveal, into a result or a log line", async () => {
    const h = await start({ elicit: () => ALLOW });
    const ownSecret = h.admin.token.split(".")[1]!;
    const outputs: string[] = [];
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await h.call(name, args);
      outputs.push(JSON.stringify(result));
      return result;
    };
    const created = structured(await h.call("create_token", { name: "reveal", expiresIn: "30D" }));
    const newSecret = created.secret.split(".")[1];
    await call("list_tokens", { search: ownSecret });
    await call("list_tokens", { search: newSecret, displayMode: "pretty" });
    await call("review_tokens", { displayMode: "csv" });
    await call("update_token", { tokenId: created.token.id, name: ownSecret.slice(0, 20) });
    await call("rotate_token", { tokenId: h.admin.id });
    await call("revoke_token", { tokenId: h.admin.token });
    await call("create_token", { name: newSecret });
    await call("retire_assistant_tokens", {});
    const everything = [...outputs, ...h.logs, ...h.questions].join("\n");
    expect(everything).not.toContain(ownSecret);
    expect(everything).not.toContain(newSecret);
  });
});

