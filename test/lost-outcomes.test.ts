import { afterEach, describe, expect, it, vi } from "vitest";
import { startHarness, textOf, type Harness } from "./support/harness.js";
import { ALLOW, startVastHarness, type VastHarness } from "./support/vast-harness.js";

/**
 * Lost outcomes made exact (issue #20, items 2–3): a write whose reply says nothing certain is
 * never answered with "try again", and a lost create's orphan is found by its own nonce, never
 * another client's token of the same name or policy. The nonce is fixed here so that the tests
 * can build another client's token that the old name and policy matching would have taken.
 */
vi.mock("../src/core/provenance.js", async (importOriginal) => ({ ...(await importOriginal<object>()), newNonce: () => "abcde" }));

const FIXED = Date.parse("2026-12-08T03:00:20.000Z");
let vast: VastHarness | undefined;
let sn: Harness | undefined;
afterEach(async () => {
  await vast?.close();
  await sn?.close();
  vast = undefined;
  sn = undefined;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of structured results
type Structured = Record<string, any>;
const NO_RETRY = /try again|revoke one/i;

describe("VAST create: outcomes", () => {
  it("a 503 without VMS's cap message after the cap check found room is an unknown outcome, not the cap", async () => {
    const h = (vast = await startVastHarness());
    h.vms.injectFault({ match: { method: "POST" }, kind: "applyThenFail", reply: 503 });
    const result = await h.call("create_token", { name: "busy" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/No usable reply came to the create; VMS had made token \w+, .*revoked again/);
    expect(textOf(result)).not.toMatch(/maximum number of valid|revoke one of the owner/i);
    expect(h.vms.tokens().filter((token) => token.name.startsWith("busy"))).toEqual([expect.objectContaining({ revoked: true })]);
  });

  it("a 503 carrying VMS's cap message is the cap", async () => {
    const h = (vast = await startVastHarness());
    h.vms.injectFault({ match: { method: "POST" }, kind: "status", status: 503, body: JSON.stringify("Service Unavailable - Max allowed API tokens reached") });
    const result = await h.call("create_token", { name: "capped" });
    expect(textOf(result)).toMatch(/maximum number of valid API tokens.*Revoke one of the owner's tokens/);
  });

  it.each([429, 500, 502, 504])("a %i after sending is an unknown outcome, resolved without advising a retry", async (status) => {
    const h = (vast = await startVastHarness());
    h.vms.injectFault({ match: { method: "POST" }, kind: "status", status, body: JSON.stringify({ detail: "Slow down" }) });
    const result = await h.call("create_token", { name: "unsure" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/No usable reply came to the create, and VMS holds no new token from it/);
    expect(textOf(result)).not.toMatch(NO_RETRY);
  });

  it("never revokes another client's token of the same name made in the same minute", async () => {
    const h = (vast = await startVastHarness({ clock: () => FIXED }));
    // Another client made a token of the very name the create sent, bar the nonce, after this create listed the owner's tokens.
    const theirs = h.vms.seedToken({ owner: "admin", name: "admin_api_token [ai 20261208T0300Z]" });
    h.vms.injectFault({ match: { method: "GET", pathEndsWith: "/apitokens/" }, kind: "status", status: 200, body: JSON.stringify([h.vms.tokenJson(h.admin.id)]) });
    h.vms.injectFault({ match: { method: "POST" }, kind: "status", status: 502 });
    const result = await h.call("create_token", {});
    expect(textOf(result)).toMatch(/holds no new token from it/);
    expect(h.vms.tokens().find((token) => token.id === theirs.id)?.revoked).toBe(false);
  });

  it("finds its own orphan by the nonce beside another client's token of the same name", async () => {
    const h = (vast = await startVastHarness({ clock: () => FIXED }));
    const theirs = h.vms.seedToken({ owner: "admin", name: "admin_api_token [ai 20261208T0300Z nzzzzz]" });
    h.vms.injectFault({ match: { method: "GET", pathEndsWith: "/apitokens/" }, kind: "status", status: 200, body: JSON.stringify([h.vms.tokenJson(h.admin.id)]) });
    h.vms.injectFault({ match: { method: "POST" }, kind: "applyThenFail", reply: "reset" });
    const result = await h.call("create_token", {});
    expect(textOf(result)).toMatch(/VMS had made token \w+, whose secret no one received, so it was revoked again/);
    const ours = h.vms.tokens().find((token) => token.name === "admin_api_token [ai 20261208T0300Z nabcde]");
    expect(ours?.revoked).toBe(true);
    expect(h.vms.tokens().find((token) => token.id === theirs.id)?.revoked).toBe(false);
  });

  it("says so when a lost create's search meets new tokens it cannot read", async () => {
    const h = (vast = await startVastHarness());
    const odd = h.vms.seedToken({ owner: "admin", name: "odd" });
    h.vms.oddities.tokens.set(odd.id, "unreadable");
    h.vms.injectFault({ match: { method: "GET", pathEndsWith: "/apitokens/" }, kind: "status", status: 200, body: JSON.stringify([h.vms.tokenJson(h.admin.id)]) });
    h.vms.injectFault({ match: { method: "POST" }, kind: "status", status: 502 });
    const result = await h.call("create_token", { name: "blind" });
    expect(textOf(result)).toMatch(new RegExp(`lists no token from it, but it lists new tokens it sent in a form this server cannot read \\(${odd.id}\\)`));
    expect(h.vms.tokens().find((token) => token.id === odd.id)?.revoked).toBe(false);
  });

  it("names the owner VMS does not know", async () => {
    const h = (vast = await startVastHarness({ env: { VAST_ALLOWED_OWNERS: "ghost" }, elicit: () => ALLOW }));
    const result = await h.call("create_token", { owner: "ghost" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/knows no user «ghost» to own the token.*Nothing was created/);
    expect(textOf(result)).not.toMatch(/Check the arguments/);
  });
});

describe("SolarNetwork create: the orphan found by its nonce", () => {
  it("never deletes another client's unnamed token of the same type and policy made meanwhile", async () => {
    const h = (sn = await startHarness());
    const notAfter = Date.parse("2099-01-01T00:00:00Z");
    const theirs = h.solarUser.seedToken({ type: "ReadNodeData", policy: { nodeIds: [1], notAfter } });
    // This create's fresh listing comes before theirs was made.
    h.solarUser.injectFault({ match: { pathEndsWith: "/find" }, kind: "status", status: 200, body: JSON.stringify({ success: true, data: { results: [] } }) });
    h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "status", status: 502 });
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expirationDate: "2099-01-01" });
    expect(textOf(result)).toMatch(/holds no new token from it/);
    const listed = (await h.call("list_tokens", { type: "ReadNodeData" })).structuredContent as Structured;
    expect(listed.tokens.map((token: Structured) => token.id)).toEqual([theirs.id]);
  });

  it("deletes its own orphan, its expiry's milliseconds carrying the nonce", async () => {
    const h = (sn = await startHarness());
    h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "applyThenReset" });
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expirationDate: "2099-01-01" });
    expect(textOf(result)).toMatch(/SolarNetwork had made token .*, so it was deleted again/);
    const made = (await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expirationDate: "2099-01-01" })).structuredContent as Structured;
    expect(made.token.policy.notAfter).toBe("2098-12-31T23:59:59.410Z");
  });
});
