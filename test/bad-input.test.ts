import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, textOf, type Harness } from "./support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const ID = "hNAdH.aXHaEqFossMwT8";

const cases: [string, string, Record<string, unknown>, RegExp][] = [
  ["create: unknown key", "create_token", { type: "User", confirm: true }, /Unknown argument "confirm"/],
  ["create: missing type", "create_token", {}, /"type": is required/],
  ["create: wrong type", "create_token", { type: "Admin" }, /"type": must be one of User, ReadNodeData/],
  ["create: node ID as string", "create_token", { type: "User", nodeIds: ["100"] }, /"nodeIds\.0"/],
  ["create: non-positive node ID", "create_token", { type: "User", nodeIds: [0] }, /"nodeIds\.0": node IDs are positive/],
  ["create: fractional node ID", "create_token", { type: "User", nodeIds: [1.5] }, /"nodeIds\.0"/],
  ["create: empty list", "create_token", { type: "User", sourceIds: [] }, /"sourceIds": must list at least one/],
  ["create: duplicate list", "create_token", { type: "User", nodeIds: [1, 1] }, /"nodeIds": must not repeat/],
  ["create: bad aggregation", "create_token", { type: "User", minAggregation: "Hourly" }, /"minAggregation": must be one of/],
  [
    "create: both aggregation forms",
    "create_token",
    { type: "User", minAggregation: "Hour", aggregations: ["Day"] },
    /"aggregations"/,
  ],
  ["create: past expiry", "create_token", { type: "User", expirationDate: "2020-01-01" }, /"expirationDate".*past/],
  [
    "create: unknown zone",
    "create_token",
    { type: "User", expirationDate: "2099-01-01", timeZone: "Mars/Olympus" },
    /"timeZone"/,
  ],
  [
    "create: both expiry forms",
    "create_token",
    { type: "User", expirationDate: "2099-01-01", expiresIn: "30D" },
    /"(expiresIn|expirationDate)"/,
  ],
  ["create: bad relative expiry", "create_token", { type: "User", expiresIn: "30 days" }, /"expiresIn"/],
  ["create: zone without date", "create_token", { type: "User", timeZone: "UTC" }, /"timeZone"/],
  ["update: malformed token ID", "update_token", { tokenId: "short", name: "x" }, /"tokenId": must be a SolarNetwork token ID/],
  ["update: nothing to change", "update_token", { tokenId: ID }, /nothing to change/],
  ["update: replace without policy", "update_token", { tokenId: ID, name: "x", replace: true }, /"replace"/],
  ["update: bad status", "update_token", { tokenId: ID, status: "Paused" }, /"status": must be one of Active, Disabled/],
  ["delete: token ID with space", "delete_token", { tokenId: "hNAdH aXHaEqFossMwT8" }, /"tokenId"/],
  ["list: limit too large", "list_tokens", { limit: 501 }, /"limit"/],
  ["list: negative offset", "list_tokens", { offset: -1 }, /"offset"/],
];

describe("invalid arguments", () => {
  it.each(cases)("%s → an error naming the field, and no request", async (_label, tool, args, expected) => {
    h.mark();
    const result = await h.call(tool, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(expected);
    expect(textOf(result)).toMatch(/Nothing was (sent to|changed in) SolarNetwork\.$/);
    expect(h.requestsSinceMark()).toBe(0);
  });
});
