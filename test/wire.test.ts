import { describe, expect, it } from "vitest";
import { isFindReply, isWirePolicy, isWireToken } from "../src/backends/solarnetwork/wire.js";
import { isoCreated } from "../src/backends/solarnetwork/api.js";

/** SolarNetwork's token JSON is checked in place (wire.ts): what it accepts, and each field it refuses. */
const token = {
  id: "4VGDQBSN5S5DOWVZF6FH",
  created: "2025-09-29 04:23:20.302916611Z",
  userId: 123,
  name: null,
  description: "Hourly export",
  status: "Active",
  type: "ReadNodeData",
  expired: false,
  policy: { nodeIds: [100, 101], sourceIds: ["/REGION1/**"], minAggregation: "Hour", notAfter: 1_767_225_600_000, refreshAllowed: true },
};

describe("SolarNetwork's token JSON", () => {
  it("is accepted as SolarNetwork writes it, with fields left out, null where SolarNetwork writes null, and fields it adds later", () => {
    expect(isWireToken(token)).toBe(true);
    expect(isWireToken({ id: "A", created: 1_700_000_000_000, userId: 1, status: "Disabled", type: "User" })).toBe(true);
    expect(isWireToken({ ...token, policy: null, name: "n", authSecret: "s", somethingNew: { x: 1 } })).toBe(true);
    expect(isWirePolicy({ aggregations: ["Hour", "SomeNewAggregation"], locationPrecisions: [] })).toBe(true);
    expect(isFindReply({ results: [token, token] })).toBe(true);
    expect(isFindReply({ results: null })).toBe(true);
    expect(isFindReply({})).toBe(true);
  });

  const wrong: [string, unknown][] = [
    ["id", 7],
    ["id", undefined],
    ["created", null],
    ["userId", "123"],
    ["userId", Number.POSITIVE_INFINITY],
    ["created", Number.NaN],
    ["created", 1e20],
    ["name", 5],
    ["description", ["x"]],
    ["status", "Paused"],
    ["type", "Admin"],
    ["expired", "no"],
    ["policy", "all"],
    ["policy", [1]],
    ["authSecret", null],
  ];
  it.each(wrong)("is refused with %s = %j", (field, value) => {
    expect(isWireToken({ ...token, [field]: value })).toBe(false);
  });

  const wrongPolicy: [string, unknown][] = [
    ["nodeIds", [1.5]],
    ["nodeIds", ["100"]],
    ["nodeIds", [2 ** 60]],
    ["notAfter", Number.POSITIVE_INFINITY],
    ["notAfter", 1e20],
    ["sourceIds", "/a/**"],
    ["sourceIds", [null]],
    ["minAggregation", 3],
    ["refreshAllowed", "true"],
    ["notAfter", "2026-01-01"],
  ];
  it.each(wrongPolicy)("is refused with policy.%s = %j", (field, value) => {
    expect(isWireToken({ ...token, policy: { ...token.policy, [field]: value } })).toBe(false);
  });

  it("is refused when a reply is not an object, or its results not a list of tokens", () => {
    for (const reply of [null, [], "x", { results: {} }, { results: [token, { ...token, id: 1 }] }]) expect(isFindReply(reply)).toBe(false);
    const { id: _id, ...withoutId } = token;
    expect(isWireToken(Object.assign(Object.create({ id: "inherited" }), withoutId))).toBe(false);
  });
});

describe("a token's creation time", () => {
  it("is given in ISO 8601 whether SolarNetwork writes it with a space, a T, a fraction or epoch milliseconds", () => {
    expect(isoCreated("2025-09-29 04:23:20.302916611Z")).toBe("2025-09-29T04:23:20.302916611Z");
    expect(isoCreated("2025-09-29 04:23:20Z")).toBe("2025-09-29T04:23:20Z");
    expect(isoCreated("2025-09-29T04:23:20.3Z")).toBe("2025-09-29T04:23:20.3Z");
    expect(isoCreated(1_759_119_800_302)).toBe("2025-09-29T04:23:20.302Z");
    expect(isoCreated("2025-09-29T06:23:20+02:00")).toBe("2025-09-29T04:23:20.000Z");
    expect(isoCreated("not a time")).toBe("not a time");
  });
});
