import { afterEach, describe, expect, it } from "vitest";
import { grantsEveryPath } from "../src/backends/solarnetwork/ant-path.js";
import { dataToken } from "./support/tokens.js";
import { classifyChange } from "../src/backends/solarnetwork/widening.js";
import { startLocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { startHarness, textOf, type Harness } from "./support/harness.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const DAY = 86_400_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const token = dataToken;

async function created(harness: Harness, args: Json): Promise<Json> {
  const result = await harness.call("create_token", args);
  expect(result.isError, textOf(result)).toBeFalsy();
  return (result.structuredContent as Json).token;
}

describe("widening judged on the policy SolarNetwork will store", () => {
  it("a minimum merged into an exact aggregation set widens it to every level from the minimum up", () => {
    const current = token({ aggregations: ["Day", "Month", "Year", "RunningTotal"] });
    const { widening, after } = classifyChange(current, { policy: { minAggregation: "Hour" }, mode: "merge" });
    expect(after).toEqual({ minAggregation: "Hour" });
    expect(widening).toHaveLength(1);
    expect(widening[0]).toMatch(/^allows aggregations Hour, HourOfDay, .*WeekOfYear: SolarNetwork replaces an exact set/);
    expect(classifyChange(current, { policy: { minAggregation: "Month" }, mode: "merge" }).widening).toEqual([]);
    expect(classifyChange(token({ aggregations: ["Day", "Month"] }), { policy: { minAggregation: "Month" }, mode: "merge" }).widening)
      .toEqual(["allows aggregations Year, RunningTotal: SolarNetwork replaces an exact set with every level from the minimum Month up"]);
  });

  it("a minimum location precision merged into an exact set is caught the same way", () => {
    const current = token({ locationPrecisions: ["Country"] });
    const { widening } = classifyChange(current, { policy: { minLocationPrecision: "PostalCode" }, mode: "merge" });
    expect(widening[0]).toMatch(/^allows location precisions PostalCode, Locality/);
  });

  it("asks a person before merging a minimum into an exact set, through the real server", async () => {
    const questions: string[] = [];
    h = await startHarness({ elicit: (message) => (questions.push(message), { action: "decline" }) });
    const { id } = await created(h, { type: "ReadNodeData", nodeIds: [1], aggregations: ["Day"], expiresIn: "1D" });
    const result = await h.call("update_token", { tokenId: id, minAggregation: "Minute" });
    expect(result.isError).toBe(true);
    expect(questions[0]).toMatch(/allows aggregations Minute/);
    expect(h.solarUser.requests.filter((r) => r.path.endsWith("/policy"))).toHaveLength(0);
  });
});

describe("User tokens and apiPaths", () => {
  it("counts match-all patterns as unrestricted", () => {
    for (const pattern of ["/**", "**", "/*/**", "/{a}/**", "/**/*"]) expect(grantsEveryPath([pattern]), pattern).toBe(true);
    for (const pattern of ["/datum/**", "/*", "/{a}", "/datum/*/**"]) expect(grantsEveryPath([pattern]), pattern).toBe(false);
  });

  it("refuses a User token whose apiPaths allow every path when unrestricted User tokens are off", async () => {
    h = await startHarness({ env: { SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS: "false" } });
    for (const apiPaths of [["/**"], ["**"], ["/*/**"], ["/{a}/**"]]) {
      h.mark();
      const result = await h.call("create_token", { type: "User", apiPaths, expiresIn: "1D" });
      expect(result.isError, JSON.stringify(apiPaths)).toBe(true);
      expect(textOf(result)).toMatch(/SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS/);
      expect(h.requestsSinceMark()).toBe(0);
    }
  });
});

describe("narrowing that merge cannot do", () => {
  it("says that merge only adds and changes nothing when the policy stays the same", async () => {
    h = await startHarness();
    const { id } = await created(h, { type: "ReadNodeData", nodeIds: [100, 101], expiresIn: "1D" });
    h.mark();
    const result = await h.call("update_token", { tokenId: id, nodeIds: [100] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Nothing was changed.*Merging only adds: nodeIds.*replace: true/);
    expect(h.solarUser.requests.slice(-h.requestsSinceMark()).some((r) => r.path.endsWith("/policy"))).toBe(false);
  });

  it("warns when a merge narrows nothing alongside a change that applies", async () => {
    h = await startHarness();
    const { id } = await created(h, { type: "ReadNodeData", nodeIds: [100, 101], expiresIn: "1D" });
    const result = await h.call("update_token", { tokenId: id, name: "renamed", nodeIds: [100] });
    const out = result.structuredContent as Json;
    expect(out.applied).toEqual(["info"]);
    expect(out.warnings.join(" ")).toMatch(/Merging only adds: nodeIds/);
  });

  it("replace used to narrow shows the fields it dropped, and dropping the expiry asks a person", async () => {
    const questions: string[] = [];
    h = await startHarness({ elicit: (message) => (questions.push(message), { action: "accept", content: { allow: true } }) });
    const { id } = await created(h, { type: "ReadNodeData", nodeIds: [100, 101], sourceIds: ["/a/**"], expiresIn: "1D" });
    const result = await h.call("update_token", { tokenId: id, nodeIds: [100], replace: true });
    const out = result.structuredContent as Json;
    expect(out.token.policy).toEqual({ nodeIds: [100] });
    expect(out.warnings[0]).toMatch(/removed what this call did not name: sourceIds \["\/a\/\*\*"\], notAfter/);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatch(/removes its expiry/);
  });
});

describe("re-enabling under SN_MCP_MAX_LIFETIME", () => {
  it("gives a never-expiring disabled token the operator's longest lifetime", async () => {
    let now = Date.parse("2026-06-01T00:00:00Z");
    const solarUser = await startLocalSolarUser({ now: () => now });
    try {
      const first = await startHarness({ clock: () => now, solarUser });
      const { id } = await created(first, { type: "ReadNodeData", nodeIds: [1] });
      expect((await first.call("update_token", { tokenId: id, status: "Disabled" })).isError).toBeFalsy();
      await first.close();
      now += DAY;
      // The same account, now served under a 30-day cap.
      h = await startHarness({ clock: () => now, env: { SN_MCP_MAX_LIFETIME: "30D" }, solarUser });
      const result = await h.call("update_token", { tokenId: id, status: "Active" });
      const out = result.structuredContent as Json;
      expect(out.applied, textOf(result)).toEqual(["policy", "status"]);
      expect(out.token.status).toBe("Active");
      expect(out.token.policy.notAfter).toBe(new Date(now + 30 * DAY).toISOString());
      expect(out.warnings.join(" ")).toMatch(/SN_MCP_MAX_LIFETIME/);
      await h.close();
      h = undefined;
    } finally {
      await solarUser.close();
    }
  });
});

describe("a relative expiry under an hour", () => {
  it("is warned about (6m is six minutes, not months)", async () => {
    h = await startHarness();
    const result = await h.call("update_token", { tokenId: (await created(h, { type: "ReadNodeData", nodeIds: [1] })).id, expiresIn: "6m" });
    expect((result.structuredContent as Json).warnings[0]).toMatch(/expiresIn "6m" gives the token less than an hour.*M is 30-day months/);
  });
});

describe("the client's policy bodies", () => {
  it("never hold an empty list: a SolarUser that refuses them (as the real one mis-reads them) accepts every call", async () => {
    h = await startHarness();
    const { id } = await created(h, { type: "ReadNodeData", nodeIds: [1], sourceIds: ["/a/**"], aggregations: ["Day"], expiresIn: "1D" });
    for (const change of [{ nodeIds: [2], replace: true }, { minAggregation: "Hour", locationPrecisions: ["Country"] }, { expiresIn: "2D" }]) {
      const result = await h.call("update_token", { tokenId: id, ...change });
      expect(result.isError, textOf(result)).toBeFalsy();
    }
    // The local SolarUser refuses any empty list with a 500, as the real server's mis-reading fails.
    const writes = h.solarUser.requests.filter((r) => r.method !== "GET");
    expect(writes.length).toBeGreaterThan(3);
    expect(writes.filter((r) => r.status >= 500)).toEqual([]);
  });
});

describe("minting power or forever", () => {
  it("asks a person before a User token or a token that never expires, and sends nothing when declined", async () => {
    const questions: string[] = [];
    h = await startHarness({ elicit: (message) => (questions.push(message), { action: "decline" }) });
    h.mark();
    expect((await h.call("create_token", { type: "User", apiPaths: ["/datum/**"], expiresIn: "1D" })).isError).toBe(true);
    expect((await h.call("create_token", { type: "ReadNodeData", nodeIds: [1] })).isError).toBe(true);
    expect(questions[0]).toMatch(/User security token\? This makes a User token, which acts as the whole account/);
    expect(questions[1]).toMatch(/ReadNodeData security token\? This makes a token that never expires/);
    expect(h.requestsSinceMark()).toBe(0);
    expect((await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" })).isError).toBeFalsy();
    expect(questions).toHaveLength(2);
  });

  it("does not ask about expiry when SN_MCP_MAX_LIFETIME gives every token one", async () => {
    const questions: string[] = [];
    h = await startHarness({ env: { SN_MCP_MAX_LIFETIME: "30D" }, elicit: (message) => (questions.push(message), { action: "decline" }) });
    expect((await h.call("create_token", { type: "ReadNodeData", nodeIds: [1] })).isError).toBeFalsy();
    expect(questions).toEqual([]);
  });
});

describe("the active-token cap under parallel calls", () => {
  it("holds: 50 parallel creates with a cap of 5 leave 5 active tokens", async () => {
    h = await startHarness({ env: { SN_MCP_MAX_ACTIVE_TOKENS: "5" } });
    const harness = h;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => harness.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" })),
    );
    expect(results.filter((result) => !result.isError)).toHaveLength(4); // the server's own token is the fifth
    const listed = (await h.call("list_tokens", { status: "Active", limit: 500 })).structuredContent as Json;
    expect(listed.total).toBe(5);
  });
});
