import { describe, expect, it } from "vitest";
import { carryMarker, provenanceMarker, readProvenance, requestKeyHash, withMarker, withoutMarker } from "../src/core/provenance.js";

describe("the provenance marker", () => {
  const mintedAt = Date.UTC(2026, 11, 3, 9, 50);

  it("round-trips time (to the minute), request-key hash and predecessor", () => {
    const marker = provenanceMarker({ mintedAt: mintedAt + 42_000, requestKey: requestKeyHash("k"), rotatedFrom: "JhxND7ci" });
    expect(marker).toBe(`[ai 20261203T0950Z k${requestKeyHash("k")} rJhxND7ci]`);
    expect(readProvenance(`backup ${marker}`)).toEqual({ mintedAt, requestKey: requestKeyHash("k"), rotatedFrom: "JhxND7ci" });
  });

  it("is absent from text without it or with a broken one", () => {
    expect(readProvenance(undefined)).toBeUndefined();
    expect(readProvenance("a person's note")).toBeUndefined();
    expect(readProvenance("[ai 2026-12-03]")).toBeUndefined();
  });

  it("is appended, removed and carried over to a new text", () => {
    expect(withMarker(undefined, { mintedAt })).toBe("[ai 20261203T0950Z]");
    expect(withoutMarker("feed [ai 20261203T0950Z]")).toBe("feed");
    expect(withoutMarker("[ai 20261203T0950Z]")).toBeUndefined();
    expect(carryMarker("new text", "old [ai 20261203T0950Z]")).toBe("new text [ai 20261203T0950Z]");
    expect(carryMarker("new text", "a person's")).toBe("new text");
  });

  it("hashes request keys to seven base32 characters, the same every time, different per key", () => {
    expect(requestKeyHash("job-42")).toMatch(/^[a-z2-7]{7}$/);
    expect(requestKeyHash("job-42")).toBe(requestKeyHash("job-42"));
    expect(requestKeyHash("job-42")).not.toBe(requestKeyHash("job-43"));
  });
});
