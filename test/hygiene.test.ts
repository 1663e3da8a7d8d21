import { afterEach, describe, expect, it } from "vitest";
import type { ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { startHarness, textOf, type Harness } from "./support/harness.js";
import { ALLOW, DECLINE, startVastHarness, type VastHarness } from "./support/vast-harness.js";

/**
 * Token hygiene through a real MCP client, on both backends: provenance, review, the kill switch,
 * rotation and idempotent creates. Declined confirmations, partial failures and restarts included.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of structured results
type Json = Record<string, any>;
const MARKER = /\[ai \d{8}T\d{4}Z/;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function sn(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  open.push(h);
  return h;
}

async function vast(options: Parameters<typeof startVastHarness>[0] = {}): Promise<VastHarness> {
  const h = await startVastHarness(options);
  open.push(h);
  return h;
}

async function sharedSolarUser(): Promise<LocalSolarUser> {
  const solarUser = await startLocalSolarUser();
  open.push(solarUser);
  return solarUser;
}

/** A person answering every question the same way, keeping what they were asked. */
function person(answer: ElicitResult) {
  const questions: string[] = [];
  return { questions, elicit: (message: string) => (questions.push(message), answer) };
}

const structured = (result: { structuredContent?: unknown }) => result.structuredContent as Json;

describe("provenance (SolarNetwork)", () => {
  it("marks every minted token in its description, shows mintedByAssistant, and keeps the marker across a rename", async () => {
    const h = await sn();
    const other = h.solarUser.seedToken({ type: "ReadNodeData", name: "made by a person", description: "by hand" });
    const created = structured(await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], description: "reports", expiresIn: "30D" }));
    expect(created.token.description).toMatch(/^reports \[ai \d{8}T\d{4}Z n[a-z2-7]{5}\]$/);

    const listed = structured(await h.call("list_tokens", {}));
    const flag = (id: string) => listed.tokens.find((token: Json) => token.id === id)?.mintedByAssistant;
    expect(flag(created.token.id)).toBe(true);
    expect(flag(other.id)).toBe(false);
    const mine = structured(await h.call("list_tokens", { mintedByAssistant: true }));
    expect(mine.tokens.map((token: Json) => token.id)).toEqual([created.token.id]);

    const edited = structured(await h.call("update_token", { tokenId: created.token.id, description: "monthly reports" }));
    expect(edited.token.description).toMatch(/^monthly reports \[ai /);
  });

  it("refuses a model-written marker, and respects a person's text without one", async () => {
    const h = await sn();
    const forged = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], description: "x [ai 20260101T0000Z]" });
    expect(textOf(forged)).toMatch(/Invalid argument "description".*provenance marker/);
    const edited = h.solarUser.seedToken({ type: "ReadNodeData", description: "no longer the assistant's" });
    const listed = structured(await h.call("list_tokens", { mintedByAssistant: false }));
    expect(listed.tokens.map((token: Json) => token.id)).toContain(edited.id);
  });
});

describe("review_tokens", () => {
  it("reports each risky token with a rule, a sentence and a fix that works", async () => {
    const h = await sn({ env: { SN_MCP_MAX_LIFETIME: "90D" } });
    const wide = h.solarUser.seedToken({ type: "ReadNodeData", name: "everything" });
    const user = h.solarUser.seedToken({ type: "User", name: "admin too", policy: { notAfter: Date.now() + 5 * 86_400_000 } });
    const refresh = h.solarUser.seedToken({ type: "ReadNodeData", policy: { nodeIds: [1], refreshAllowed: true } });
    const result = await h.call("review_tokens", {});
    const { findings, reviewed, summary } = structured(result);
    const rules = (id: string) => findings.filter((f: Json) => f.tokenId === id).map((f: Json) => f.rule).sort();
    expect(reviewed).toBe(4);
    expect(rules(wide.id)).toEqual(["no-expiry", "unrestricted-data-token"]);
    expect(rules(user.id)).toEqual(["expiring-soon", "unrestricted-user-token"]);
    expect(rules(refresh.id)).toEqual(["no-expiry", "refresh-on-long-lived"]);
    expect(rules(h.admin.id)).toEqual(expect.arrayContaining(["server-credential"]));
    expect(findings[0].severity).toBe("high");
    expect(summary).toMatch(/Reviewed 4 tokens: \d+ high/);

    const fix = findings.find((f: Json) => f.tokenId === refresh.id && f.rule === "refresh-on-long-lived").fix;
    expect(fix).toEqual({ tool: "update_token", arguments: { tokenId: refresh.id, refreshAllowed: false } });
    expect((await h.call(fix.tool, fix.arguments)).isError).toBeFalsy();
    const again = structured(await h.call("review_tokens", {}));
    expect(again.findings.some((f: Json) => f.tokenId === refresh.id && f.rule === "refresh-on-long-lived")).toBe(false);

    const table = await h.call("review_tokens", { displayMode: "pretty" });
    expect(textOf(table)).toMatch(/\| Severity +\| Rule/);
  });

  it("on VMS: never-used tokens, owners at the cap, and the server's own credential", async () => {
    const now = Date.now();
    const h = await vast();
    const idle = h.vms.seedToken({ owner: "admin", name: "idle", created: now - 30 * 86_400_000 });
    for (let i = 0; i < 3; i++) h.vms.seedToken({ owner: "admin", name: `t${i}` });
    const { findings } = structured(await h.call("review_tokens", {}));
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tokenId: idle.id, rule: "never-used", fix: { tool: "revoke_token", arguments: { tokenId: idle.id } } }),
        expect.objectContaining({ owner: "admin", rule: "owner-near-cap", severity: "medium" }),
        expect.objectContaining({ tokenId: h.admin.id, rule: "server-credential", severity: "info" }),
      ]),
    );
  });
});

describe("retire_assistant_tokens (kill switch)", () => {
  it("lists every affected token in one question; declined changes nothing, allowed disables only the assistant's", async () => {
    const declined = person(DECLINE);
    const solarUser = await sharedSolarUser();
    let h = await sn({ solarUser, elicit: declined.elicit });
    const a = structured(await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], name: "a", expiresIn: "30D" })).token;
    const b = structured(await h.call("create_token", { type: "ReadNodeData", nodeIds: [2], name: "b", expiresIn: "30D" })).token;
    const kept = solarUser.seedToken({ type: "ReadNodeData", name: "a person's" });
    h.mark();
    expect(textOf(await h.call("retire_assistant_tokens", {}))).toMatch(/did not allow/);
    expect(declined.questions[0]).toContain(a.id);
    expect(declined.questions[0]).toContain(b.id);
    expect(declined.questions[0]).not.toContain(kept.id);
    expect(declined.questions[0]).not.toContain(h.admin.id);

    // After a restart: the markers are in the tokens, not in this process.
    const allowed = person(ALLOW);
    h = await sn({ solarUser, elicit: allowed.elicit, admin: { type: "User", userId: 123 } });
    solarUser.injectFault({ match: { method: "POST", pathEndsWith: "/status" }, kind: "status", status: 422, body: "{}" });
    const result = structured(await h.call("retire_assistant_tokens", {}));
    expect(result.action).toBe("disabled");
    expect(result.retired).toEqual([b.id]);
    expect(result.failed.map((f: Json) => f.tokenId)).toEqual([a.id]);
    const status = async (id: string) => structured(await h.call("list_tokens", {})).tokens.find((t: Json) => t.id === id)?.status;
    expect(await status(b.id)).toBe("Disabled");
    expect(await status(a.id)).toBe("Active");
    expect(await status(kept.id)).toBe("Active");
  });

  it("olderThanDays leaves newer tokens alone; on VMS it revokes", async () => {
    const h = await vast({ elicit: () => ALLOW });
    const fresh = structured(await h.call("create_token", { name: "fresh" })).token;
    const none = structured(await h.call("retire_assistant_tokens", { olderThanDays: 1 }));
    expect(none.retired).toEqual([]);
    const all = structured(await h.call("retire_assistant_tokens", {}));
    expect(all).toMatchObject({ action: "revoked", retired: [fresh.id], failed: [] });
    expect(h.vms.tokens().find((token) => token.id === fresh.id)?.revoked).toBe(true);
    expect(h.vms.tokens().find((token) => token.id === h.admin.id)?.revoked).toBe(false);
  });
});

describe("rotate_token", () => {
  it("makes a successor with the same type, policy and name, delivers its secret, then disables the old one", async () => {
    const allowed = person(ALLOW);
    const h = await sn({ elicit: allowed.elicit });
    const old = structured(
      await h.call("create_token", { type: "ReadNodeData", name: "feed", description: "the feed", nodeIds: [5], sourceIds: ["/A/**"], expiresIn: "30D" }),
    ).token;
    const result = await h.call("rotate_token", { tokenId: old.id });
    expect(result.isError).toBeFalsy();
    const rotated = structured(result);
    expect(rotated.secret).toBeTypeOf("string");
    expect(rotated.token).toMatchObject({ type: "ReadNodeData", name: "feed", policy: { nodeIds: [5], sourceIds: ["/A/**"] } });
    expect(rotated.token.description).toMatch(new RegExp(`^the feed \\[ai \\d{8}T\\d{4}Z n[a-z2-7]{5} r${old.id}\\]$`));
    expect(rotated.previous).toEqual({ tokenId: old.id, retired: true });
    expect(allowed.questions.at(-1)).toMatch(/successor .* has been created/);
    const listed = structured(await h.call("list_tokens", {})).tokens;
    expect(listed.find((t: Json) => t.id === old.id).status).toBe("Disabled");
  });

  it("when the person declines retiring the old token, both stay live, and the new secret is still delivered", async () => {
    const h = await vast({ elicit: () => DECLINE });
    const old = structured(await h.call("create_token", { name: "ci", expiresIn: "30D" })).token;
    const result = await h.call("rotate_token", { tokenId: old.id });
    expect(result.isError).toBeFalsy();
    const rotated = structured(result);
    expect(rotated.secret).toMatch(new RegExp(`^${rotated.token.id}\\.`));
    expect(rotated.token.name).toMatch(new RegExp(`^ci \\[ai \\d{8}T\\d{4}Z n[a-z2-7]{5} r${old.id}\\]$`));
    expect(rotated.previous).toEqual({ tokenId: old.id, retired: false });
    expect(textOf(result)).toMatch(/Both tokens are live/);
    expect(h.vms.tokens().find((token) => token.id === old.id)?.revoked).toBe(false);
  });

  it("refuses to rotate the server's own credential", async () => {
    const h = await sn();
    expect(textOf(await h.call("rotate_token", { tokenId: h.admin.id }))).toMatch(/own credential/);
  });
});

describe("create_token requestKey", () => {
  it("a repeated key returns the first token without its secret, also after a restart", async () => {
    const solarUser = await sharedSolarUser();
    let h = await sn({ solarUser });
    const args = { type: "ReadNodeData", nodeIds: [9], requestKey: "job-42", expiresIn: "30D" };
    const first = structured(await h.call("create_token", args));
    expect(first.secret).toBeTypeOf("string");
    const again = structured(await h.call("create_token", args));
    expect(again.token.id).toBe(first.token.id);
    expect(again.secret).toBeUndefined();
    expect(again.warnings[0]).toMatch(/already created/);

    h = await sn({ solarUser, admin: { type: "User", userId: 123 } });
    h.mark();
    const restarted = structured(await h.call("create_token", args));
    expect(restarted.token.id).toBe(first.token.id);
    expect(solarUser.requests.filter((r) => r.path.includes("/generate/")).length).toBe(1);
    const other = structured(await h.call("create_token", { ...args, requestKey: "job-43" }));
    expect(other.token.id).not.toBe(first.token.id);
  });

  it("on VMS too, and the marker carries the key's hash, not the key", async () => {
    const h = await vast();
    const first = structured(await h.call("create_token", { name: "nightly", requestKey: "secret-ish-key" }));
    expect(first.token.name).toMatch(/^nightly \[ai \d{8}T\d{4}Z n[a-z2-7]{5} k[a-z2-7]{7}\]$/);
    expect(first.token.name).not.toContain("secret-ish-key");
    h.mark();
    const again = structured(await h.call("create_token", { name: "nightly", requestKey: "secret-ish-key" }));
    expect(again.token.id).toBe(first.token.id);
    expect(h.sentSinceMark("POST")).toBe(0);
    expect(MARKER.test(again.token.name)).toBe(true);
  });
});
