import { describe, expect, it } from "vitest";
import type { Token } from "../src/backends/solarnetwork/model.js";
import { dataToken } from "./support/tokens.js";
import { classifyChange, type RequestedChange } from "../src/backends/solarnetwork/widening.js";

const token = dataToken;
const widening = (current: Token, change: RequestedChange) => classifyChange(current, change).widening;
const merge = (policy: RequestedChange["policy"]): RequestedChange => ({ policy, mode: "merge" });
const replace = (policy: RequestedChange["policy"]): RequestedChange => ({ policy, mode: "replace" });

describe("classifyChange", () => {
  it("treats a first restriction as narrowing", () => {
    expect(widening(token(), merge({ nodeIds: [1], sourceIds: ["/a/**"], apiPaths: ["/datum/**"], minAggregation: "Hour" }))).toEqual([]);
  });

  it("flags more node IDs and broader patterns, not patterns already covered", () => {
    const current = token({ nodeIds: [1, 2], sourceIds: ["/REGION1/**"] });
    expect(widening(current, merge({ nodeIds: [2, 3] }))).toEqual(["adds node IDs 3"]);
    expect(widening(current, merge({ sourceIds: ["/REGION1/meter"] }))).toEqual([]);
    expect(widening(current, merge({ sourceIds: ["/REGION2/**"] }))).toEqual(["adds source ID patterns /REGION2/**"]);
    expect(widening(current, merge({ sourceIds: ["/REGION1/*"] }))).toEqual(["adds source ID patterns /REGION1/*"]);
  });

  it("flags a replace that drops restrictions, and accepts one that keeps a subset", () => {
    const current = token({ nodeIds: [1, 2], sourceIds: ["/a/**"], minAggregation: "Hour" });
    expect(widening(current, replace({ nodeIds: [1], sourceIds: ["/a/**"], minAggregation: "Day" }))).toEqual([]);
    expect(widening(current, replace({ nodeIds: [1] }))).toEqual([
      "removes the source ID patterns restriction",
      "removes the minimum aggregation",
    ]);
  });

  it("flags a finer minimum aggregation or location precision", () => {
    const current = token({ minAggregation: "Hour", minLocationPrecision: "PostalCode" });
    expect(widening(current, merge({ minAggregation: "FiveMinute", minLocationPrecision: "LatLong" }))).toEqual([
      "lowers the minimum aggregation from Hour to FiveMinute",
      "lowers the minimum location precision from PostalCode to LatLong",
    ]);
    expect(widening(current, merge({ minAggregation: "Month" }))).toEqual([]);
  });

  it("reads apiPaths with their ! exclusions", () => {
    const current = token({ apiPaths: ["/datum/**", "!/datum/stream/**"] });
    expect(widening(current, merge({ apiPaths: ["!/nodes/**"] }))).toEqual([]);
    expect(widening(current, merge({ apiPaths: ["/user/**"] }))).toEqual(["adds API paths /user/**"]);
    expect(widening(current, replace({ apiPaths: ["/datum/**"] }))).toEqual(["lifts API path exclusions !/datum/stream/**"]);
    expect(widening(current, replace({ nodeIds: [1] }))).toEqual([
      "removes the API path restriction",
      "lifts API path exclusions !/datum/stream/**",
    ]);
  });

  it("flags refresh; a longer life or a re-enable is the effect model's to judge, not a right", () => {
    const current = token({ notAfter: "2027-01-01T00:00:00.000Z" }, "Disabled");
    expect(widening(current, merge({ notAfter: Date.parse("2027-02-01T00:00:00Z") }))).toEqual([]);
    expect(widening(current, merge({ refreshAllowed: true }))).toEqual(["allows signing-key refresh"]);
  });
});
