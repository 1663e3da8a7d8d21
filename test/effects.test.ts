import { describe, expect, it } from "vitest";
import { closedAfterEach } from "./support/closing.js";
import { NO_GUARDRAILS } from "../src/safety/guardrails.js";
import { judge, type TokenChange, type TokenState } from "../src/safety/effects.js";
import { startHarness, textOf, type Harness } from "./support/harness.js";
import { ALLOW, DECLINE, startVastHarness, type VastHarness } from "./support/vast-harness.js";

/** Safety judged by effect (issue #18): the pure decision, then each path that went around it, on both backends. */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = Date.parse("2026-12-08T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const usable: TokenState = { usable: true, until: NOW + 30 * DAY, owner: "u", ownerAllowed: true, ownCredential: false, mintedByAssistant: false };
const change = (before: TokenState | undefined, after: TokenState | undefined, more: Partial<TokenChange> = {}): TokenChange => ({
  system: "Sys",
  asking: "Change the token T",
  before,
  after,
  widerRights: [],
  ...more,
});
const effectsOf = (c: TokenChange, rules = NO_GUARDRAILS) => [...judge(c, rules, NOW).effects].sort();

describe("judging a change by its effects", () => {
  it("ends: unusable now, or an end brought within 24 hours; an earlier end beyond that is only said", () => {
    expect(effectsOf(change(usable, { ...usable, until: NOW + 1_000 }))).toEqual(["ends"]);
    expect(effectsOf(change(usable, { ...usable, until: NOW - 1, usable: false }))).toEqual(["ends"]);
    expect(effectsOf(change(usable, { ...usable, until: NOW + DAY }))).toEqual(["ends"]);
    const later = judge(change(usable, { ...usable, until: NOW + 2 * DAY }), NO_GUARDRAILS, NOW);
    expect(later.question).toBeUndefined();
    expect(later.warnings[0]).toMatch(/expiry moves earlier/);
    expect(judge(change(usable, { ...usable, until: NOW + 1_000 }), NO_GUARDRAILS, NOW).question).toMatch(/within 24 hours/);
    expect(effectsOf(change(usable, undefined, { ending: "deletes it, for good" }))).toEqual(["ends"]);
  });

  it("revives: an unusable token made usable enters the caps, like a create", () => {
    const verdict = judge(change({ ...usable, usable: false, until: NOW - DAY }, { ...usable }), NO_GUARDRAILS, NOW);
    expect([...verdict.effects]).toEqual(["revives"]);
    expect(verdict.entersUsable).toBe(true);
    expect(verdict.question).toMatch(/usable again until/);
    expect(judge(change(undefined, usable), NO_GUARDRAILS, NOW).entersUsable).toBe(true);
    expect(judge(change(usable, { ...usable, until: NOW + 40 * DAY }), NO_GUARDRAILS, NOW).entersUsable).toBe(false);
  });

  it("widens: more rights, or a longer life; a rename of a person's token asks nothing", () => {
    expect(effectsOf(change(usable, usable, { widerRights: ["adds node IDs 2"] }))).toEqual(["widens"]);
    expect(effectsOf(change(usable, { ...usable, until: undefined }))).toEqual(["extends"]);
    expect(judge(change(usable, usable), NO_GUARDRAILS, NOW)).toMatchObject({ question: undefined, mustAsk: false });
  });

  it("the server's own credential: always asked, and the question says an end locks this server out", () => {
    const own = { ...usable, ownCredential: true };
    expect(judge(change(own, own), NO_GUARDRAILS, NOW)).toMatchObject({ mustAsk: true, question: "Change the token T? This is the token this server itself signs in with." });
    const ended = judge(change(own, { ...own, until: NOW + 1_000 }), NO_GUARDRAILS, NOW);
    expect(ended.mustAsk).toBe(true);
    expect(ended.question).toMatch(/locks this server out of Sys/);
  });

  it("refuses every write to a token of an owner outside the allowed ones, and any life past SN_MCP_MAX_LIFETIME", () => {
    const outside = { ...usable, owner: "root «x»", ownerAllowed: false };
    expect(() => judge(change(outside, outside, { ownersSetting: "OWNERS" }), NO_GUARDRAILS, NOW)).toThrow(/rule OWNERS: the token belongs to «root 'x'»/);
    const capped = { ...NO_GUARDRAILS, maxLifetimeMs: 30 * DAY };
    expect(() => judge(change(usable, { ...usable, until: NOW + 31 * DAY }), capped, NOW)).toThrow(/SN_MCP_MAX_LIFETIME/);
    expect(() => judge(change(undefined, { ...usable, until: undefined }), capped, NOW)).toThrow(/never expire/);
    expect(() => judge(change({ ...usable, usable: false, until: NOW - 1 }, { ...usable, until: NOW + 31 * DAY }), capped, NOW)).toThrow(/SN_MCP_MAX_LIFETIME/);
    // A token already past the cap may still be renamed or shortened.
    expect(() => judge(change({ ...usable, until: undefined }, { ...usable, until: undefined }), capped, NOW)).not.toThrow();
  });
});

const closing = closedAfterEach();
let sn: Harness | undefined;
let vast: VastHarness | undefined;

const snQuestions: string[] = [];
async function startSn(elicit: "decline" | "allow" | undefined, env: Record<string, string> = {}): Promise<Harness> {
  snQuestions.length = 0;
  const answer = elicit === undefined ? undefined : (message: string) => (snQuestions.push(message), elicit === "allow" ? ALLOW : DECLINE);
  sn = closing(await startHarness({ env, elicit: answer }));
  return sn;
}

async function snRead(h: Harness, tokenId: string): Promise<Json | undefined> {
  const result = await h.call("list_tokens", {});
  return ((result.structuredContent as Json).tokens as Json[]).find((token) => token.id === tokenId);
}

describe("item 1: a near expiry ends a token, and is asked (SolarNetwork)", () => {
  it("declined: a person's token and the server's own keep their expiry", async () => {
    const h = await startSn("decline");
    const person = h.solarUser.seedToken({ type: "ReadNodeData", policy: { nodeIds: [1] } });
    h.mark();
    for (const [tokenId, args] of [[person.id, { expiresIn: "1s" }], [h.admin.id, { expirationDate: new Date(Date.now() + 600_000).toISOString().slice(0, 19), timeZone: "UTC" }]] as const) {
      const result = await h.call("update_token", { tokenId, ...args });
      expect(result.isError, textOf(result)).toBe(true);
      expect(textOf(result)).toMatch(/did not allow/);
    }
    expect(snQuestions[0]).toMatch(/This brings its end to .*within 24 hours/);
    expect(snQuestions[1]).toMatch(/locks this server out of SolarNetwork/);
    expect(h.solarUser.requests.slice(-h.requestsSinceMark()).filter((request) => request.method !== "GET")).toEqual([]);
    expect((await snRead(h, person.id))?.policy?.notAfter).toBeUndefined();
    expect((await snRead(h, h.admin.id))?.policy?.notAfter).toBeUndefined();
  });

  it("without elicitation the own credential is refused outright even with proceed; a person's token goes ahead with a note (item 13)", async () => {
    const h = await startSn(undefined, { SN_MCP_WITHOUT_ELICITATION: "proceed" });
    const own = await h.call("update_token", { tokenId: h.admin.id, expiresIn: "1s" });
    expect(own.isError).toBe(true);
    expect(textOf(own)).toMatch(/credential this server signs in with.*cannot ask.*Nothing was sent to SolarNetwork/s);
    expect((await snRead(h, h.admin.id))?.policy?.notAfter).toBeUndefined();
    const person = h.solarUser.seedToken({ type: "ReadNodeData", policy: { nodeIds: [1] } });
    const result = await h.call("update_token", { tokenId: person.id, expiresIn: "1h" });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toMatch(/went ahead unasked because the operator set SN_MCP_WITHOUT_ELICITATION=proceed/);
    expect((result.structuredContent as Json).warnings.join(" ")).toMatch(/went ahead unasked/);
    const rename = await h.call("update_token", { tokenId: person.id, name: "renamed" });
    expect(textOf(rename)).not.toMatch(/unasked/);
  });
});

describe("item 5: the server's own SolarNetwork token", () => {
  it("deleting or disabling it says it locks this server out, and without elicitation is refused whatever the setting", async () => {
    let h = await startSn("decline");
    expect((await h.call("delete_token", { tokenId: h.admin.id })).isError).toBe(true);
    expect((await h.call("update_token", { tokenId: h.admin.id, status: "Disabled" })).isError).toBe(true);
    expect(snQuestions).toHaveLength(2);
    for (const question of snQuestions) expect(question).toMatch(/This is the token this server itself signs in with: this change locks this server out/);
    h = await startSn(undefined, { SN_MCP_WITHOUT_ELICITATION: "proceed" });
    expect(textOf(await h.call("delete_token", { tokenId: h.admin.id }))).toMatch(/cannot ask/);
    expect(textOf(await h.call("update_token", { tokenId: h.admin.id, status: "Disabled" }))).toMatch(/cannot ask/);
    expect((await snRead(h, h.admin.id))?.status).toBe("Active");
  });
});

describe("item 2: reviving counts against the caps like a create (SolarNetwork)", () => {
  it("extending expired tokens stops at SN_MCP_MAX_ACTIVE_TOKENS, and the question says it revives", async () => {
    const h = await startSn("allow", { SN_MCP_MAX_ACTIVE_TOKENS: "3" });
    h.solarUser.seedToken({ type: "ReadNodeData", policy: { nodeIds: [1] } });
    const expired = [1, 2].map(() => h.solarUser.seedToken({ type: "ReadNodeData", policy: { nodeIds: [1], notAfter: Date.now() - DAY } }));
    const disabled = h.solarUser.seedToken({ type: "ReadNodeData", policy: { nodeIds: [1] }, status: "Disabled" });
    const first = await h.call("update_token", { tokenId: expired[0]!.id, expiresIn: "7D" });
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(snQuestions[0]).toMatch(/makes the unusable token usable again until/);
    const second = await h.call("update_token", { tokenId: expired[1]!.id, expiresIn: "7D" });
    expect(textOf(second)).toMatch(/SN_MCP_MAX_ACTIVE_TOKENS/);
    expect(textOf(await h.call("update_token", { tokenId: disabled.id, status: "Active" }))).toMatch(/SN_MCP_MAX_ACTIVE_TOKENS/);
    const active = ((await h.call("list_tokens", {})).structuredContent as Json).tokens.filter((t: Json) => t.status === "Active" && !t.expired);
    expect(active).toHaveLength(3);
  });
});

async function startVast(elicit: "decline" | "allow" | undefined, options: Parameters<typeof startVastHarness>[0] = {}): Promise<VastHarness> {
  vast = closing(await startVastHarness({ ...options, ...(elicit === undefined ? {} : { elicit: () => (elicit === "allow" ? ALLOW : DECLINE) }) }));
  return vast;
}

const vmsToken = (h: VastHarness, id: string) => h.vms.tokens().find((token) => token.id === id)!;

describe("item 1 and 11: VAST expiry and owners", () => {
  it("declined: a near expiry of the server's own token is asked and not sent; an owner outside VAST_ALLOWED_OWNERS is refused for every write", async () => {
    const h = await startVast("decline");
    const outsider = h.vms.seedToken({ owner: "secops", name: "theirs" });
    h.mark();
    const own = await h.call("update_token", { tokenId: h.admin.id, expiresIn: "1s" });
    expect(own.isError).toBe(true);
    expect(h.questions[0]).toMatch(/locks this server out of VAST VMS/);
    for (const args of [{ expiresIn: "1s" }, { name: "renamed" }]) {
      const refused = await h.call("update_token", { tokenId: outsider.id, ...args });
      expect(textOf(refused)).toMatch(/VAST_ALLOWED_OWNERS: the token belongs to «secops»/);
    }
    expect(textOf(await h.call("revoke_token", { tokenId: outsider.id }))).toMatch(/VAST_ALLOWED_OWNERS/);
    expect(h.sentSinceMark("PATCH") + h.sentSinceMark("DELETE")).toBe(0);
    expect(h.questions).toHaveLength(1);
    expect(vmsToken(h, outsider.id).name).toBe("theirs");
  });

  it("without elicitation, proceed does not reach the server's own token", async () => {
    const h = await startVast(undefined, { env: { SN_MCP_WITHOUT_ELICITATION: "proceed" } });
    h.mark();
    expect(textOf(await h.call("update_token", { tokenId: h.admin.id, expiresIn: "1s" }))).toMatch(/cannot ask.*Nothing was sent to VAST VMS/s);
    expect(textOf(await h.call("revoke_token", { tokenId: h.admin.id }))).toMatch(/cannot ask/);
    expect(h.sentSinceMark("PATCH") + h.sentSinceMark("DELETE")).toBe(0);
  });
});

describe("item 2: VAST revival counts against VMS's 5 per user and the operator's cap", () => {
  it("extending expired tokens stops at 5 valid tokens per user", async () => {
    const h = await startVast("allow");
    for (let i = 0; i < 3; i++) h.vms.seedToken({ owner: "admin", name: `live ${i}` });
    const expired = [1, 2].map((i) => h.vms.seedToken({ owner: "admin", name: `old ${i}`, created: Date.now() - 10 * DAY, expiry: "1D" }));
    const first = await h.call("update_token", { tokenId: expired[0]!.id, expiresIn: "7D" });
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(h.questions[0]).toMatch(/makes the unusable token usable again until/);
    expect(textOf(await h.call("update_token", { tokenId: expired[1]!.id, expiresIn: "7D" }))).toMatch(/already has 5 of 5 valid tokens/);
  });

  it("and at SN_MCP_MAX_ACTIVE_TOKENS", async () => {
    const h = await startVast("allow", { env: { SN_MCP_MAX_ACTIVE_TOKENS: "2" } });
    h.vms.seedToken({ owner: "admin", name: "live" });
    const expired = h.vms.seedToken({ owner: "admin", name: "old", created: Date.now() - 10 * DAY, expiry: "1D" });
    expect(textOf(await h.call("update_token", { tokenId: expired.id, expiresIn: "7D" }))).toMatch(/SN_MCP_MAX_ACTIVE_TOKENS/);
  });
});

describe("item 4: VAST asks before minting a token that never expires", () => {
  it("with the cluster's password expiration off and no SN_MCP_MAX_LIFETIME", async () => {
    const h = await startVast("decline", { vms: { settings: { pwdExpirationTimeoutEnabled: false } } });
    h.mark();
    const result = await h.call("create_token", { name: "forever" });
    expect(result.isError).toBe(true);
    expect(h.questions[0]).toMatch(/Create a VAST VMS API token\? This makes a token that never expires/);
    expect(h.sentSinceMark("POST")).toBe(0);
    expect((await h.call("create_token", { name: "week", expiresIn: "7D" })).isError).toBeFalsy();
    expect(h.questions).toHaveLength(1);
  });
});
