import { afterEach, describe, expect, it } from "vitest";
import { textOf } from "./support/harness.js";
import { startVastHarness, type VastHarness } from "./support/vast-harness.js";

/**
 * One odd token never takes a VAST listing down (issue #20, item 1): a zone-less expiry is read as
 * UTC and said so, a null or missing owner or name is shown as unknown, an unreadable token is named
 * by its ID while the rest are shown. Driven through the simulator's switchable oddities.
 */

const DAY = 86_400_000;
let harness: VastHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of structured results
type Structured = Record<string, any>;
const structured = (result: { structuredContent?: unknown }) => result.structuredContent as Structured;

describe("odd VMS token replies", () => {
  it("reads a zone-less expiry as UTC and says so", async () => {
    const h = (harness = await startVastHarness());
    const seeded = h.vms.seedToken({ owner: "manager", name: "ci", expiry: "10D" });
    const stored = h.vms.tokens().find((token) => token.id === seeded.id)!;
    h.vms.oddities.zonelessExpiry = true;
    const listed = await h.call("list_tokens", {});
    expect(listed.isError).toBeFalsy();
    const token = structured(listed).tokens.find((t: Structured) => t.id === seeded.id);
    expect(token.expires).toBe(new Date(stored.expiry!).toISOString());
    expect(structured(listed).warnings).toEqual([expect.stringMatching(new RegExp(`expiry of .*${seeded.id}.* without a time zone: read as UTC`))]);
    expect(textOf(listed)).toContain("read as UTC");
  });

  it.each(["owner-null", "owner-missing", "name-null", "name-missing"] as const)("shows a token with %s, its unknown field as unknown", async (oddity) => {
    const h = (harness = await startVastHarness());
    const seeded = h.vms.seedToken({ owner: "manager", name: "ci" });
    h.vms.oddities.tokens.set(seeded.id, oddity);
    const listed = await h.call("list_tokens", { displayMode: "pretty" });
    expect(listed.isError).toBeFalsy();
    const token = structured(listed).tokens.find((t: Structured) => t.id === seeded.id);
    expect(token).toBeDefined();
    expect(token).not.toHaveProperty(oddity.startsWith("owner") ? "owner" : "name");
    expect(textOf(listed).split("\n").find((line) => line.includes(seeded.id))).toContain("unknown");
    expect(structured(listed).tokens).toHaveLength(2);
  });

  it("lists an unreadable token by its ID and shows the rest", async () => {
    const h = (harness = await startVastHarness());
    const odd = h.vms.seedToken({ owner: "manager", name: "odd" });
    const fine = h.vms.seedToken({ owner: "manager", name: "fine" });
    h.vms.oddities.tokens.set(odd.id, "unreadable");
    const listed = await h.call("list_tokens", {});
    expect(listed.isError).toBeFalsy();
    expect(structured(listed).tokens.map((t: Structured) => t.id)).toEqual([h.admin.id, fine.id]);
    expect(structured(listed).warnings).toEqual([expect.stringContaining(`cannot read, left out here: ${odd.id}.`)]);
  });

  it("a reply that is not a list at all is still an error", async () => {
    const h = (harness = await startVastHarness());
    h.vms.injectFault({ kind: "status", status: 200, body: JSON.stringify({ detail: "not a list" }), match: { method: "GET", pathEndsWith: "/apitokens/" } });
    const listed = await h.call("list_tokens", {});
    expect(listed.isError).toBe(true);
    expect(textOf(listed)).toMatch(/cannot read/);
  });

  it("the cap check before a create passes over an unreadable token and a null owner", async () => {
    const h = (harness = await startVastHarness());
    const odd = h.vms.seedToken({ owner: "admin", name: "odd" });
    const ownerless = h.vms.seedToken({ owner: "admin", name: "ownerless" });
    h.vms.oddities.tokens.set(odd.id, "unreadable");
    h.vms.oddities.tokens.set(ownerless.id, "owner-null");
    h.vms.oddities.zonelessExpiry = true;
    const created = await h.call("create_token", { name: "next", expiresIn: "5D" });
    expect(created.isError).toBeFalsy();
    // The read-back reads the zone-less expiry as UTC too.
    const { token } = structured(created);
    expect(Date.parse(token.expires)).toBeLessThanOrEqual(Date.parse(token.created) + 5 * DAY + 1_000);
    expect(h.vms.tokens().filter((t) => t.owner === "admin" && !t.revoked)).toHaveLength(4);
  });

  it("a read-back of an unreadable new token still hands over the secret", async () => {
    const h = (harness = await startVastHarness());
    const unreadable = JSON.stringify({ id: "Zz9Zz9Zz", created: "soon", revoked: "no" });
    h.vms.injectFault({ kind: "status", status: 200, body: unreadable, match: { method: "GET", pathMatches: /\/apitokens\/[A-Za-z0-9]{8}\/$/ } });
    const created = await h.call("create_token", { name: "fresh", expiresIn: "5D" });
    expect(created.isError).toBeFalsy();
    expect(structured(created).secret).toMatch(/^[A-Za-z0-9]{8}\./);
    expect(structured(created).warnings.join(" ")).toMatch(/reading it back failed/);
  });
});
