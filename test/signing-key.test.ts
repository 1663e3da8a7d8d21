import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { secretKeySource } from "../src/backends/solarnetwork/signing-key.js";
import { deriveSigningKey, signingDay } from "../src/backends/solarnetwork/snws2.js";

const SECRET = "test-token-secret";
const hex = (key: Uint8Array) => Buffer.from(key).toString("hex");
const at = (iso: string) => new Date(iso);

/** A key source that records every key it reports to the redactor. */
function recording(secret = SECRET) {
  const derived: string[] = [];
  const source = secretKeySource(secret, (key) => derived.push(hex(key)));
  return { source, derived };
}

describe("secretKeySource", () => {
  it("returns the key derived for the request's UTC day (published vector, 25 Apr 2017)", () => {
    const { source, derived } = recording();
    const key = source.keyFor(at("2017-04-25T14:30:00Z"));
    expect(hex(key)).toBe("bf7885e8bd107a79f5c6e13001a4fa15fbd43221ad39ca47fde96191d302dbf4");
    expect(derived).toEqual([hex(key)]);
  });

  it("derives once per UTC day: every instant of the day gets the cached key", () => {
    const { source, derived } = recording();
    const first = source.keyFor(at("2017-04-25T00:00:00.000Z"));
    for (const iso of ["2017-04-25T09:15:00Z", "2017-04-25T14:30:00.500Z", "2017-04-25T23:59:59.999Z"]) {
      expect(source.keyFor(at(iso))).toBe(first);
    }
    expect(derived).toHaveLength(1);
  });

  it("re-derives when the UTC day changes, and reports the new key", () => {
    const { source, derived } = recording();
    const before = source.keyFor(at("2017-04-25T23:59:59.999Z"));
    const after = source.keyFor(at("2017-04-26T00:00:00.000Z"));
    expect(hex(after)).toBe(hex(deriveSigningKey(SECRET, "20170426")));
    expect(hex(after)).not.toBe(hex(before));
    expect(source.keyFor(at("2017-04-26T18:00:00Z"))).toBe(after);
    expect(derived).toEqual([hex(before), hex(after)]);
  });

  it("goes by the UTC day, not the local one (an instant written with an offset)", () => {
    const { source } = recording();
    // 25 Apr 20:30 in New York is 26 Apr 00:30 UTC; 26 Apr 09:00 in Auckland is 25 Apr 21:00 UTC.
    expect(hex(source.keyFor(at("2017-04-25T20:30:00-04:00")))).toBe(hex(deriveSigningKey(SECRET, "20170426")));
    expect(hex(source.keyFor(at("2017-04-26T09:00:00+12:00")))).toBe(hex(deriveSigningKey(SECRET, "20170425")));
  });

  it("returns the right key, reported, when the date moves back a day (clock correction)", () => {
    const { source, derived } = recording();
    source.keyFor(at("2017-04-26T00:00:05Z"));
    const back = source.keyFor(at("2017-04-25T23:59:58Z"));
    expect(hex(back)).toBe(hex(deriveSigningKey(SECRET, "20170425")));
    expect(derived).toContain(hex(back));
  });

  it("works without an onDerive callback", () => {
    const source = secretKeySource(SECRET);
    expect(hex(source.keyFor(at("2017-04-25T14:30:00Z")))).toBe(
      "bf7885e8bd107a79f5c6e13001a4fa15fbd43221ad39ca47fde96191d302dbf4",
    );
  });

  it("over random date sequences: the day's key every time, one derivation per change of day", () => {
    const instant = fc.date({
      min: new Date("2000-01-01T00:00:00Z"),
      max: new Date("2099-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    });
    // Runs of nearby instants, so that consecutive requests often share a day.
    const sequence = fc
      .tuple(instant, fc.array(fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }), { maxLength: 12 }))
      .map(([start, steps]) => {
        const dates = [start];
        for (const step of steps) dates.push(new Date(dates[dates.length - 1]!.getTime() + step));
        return dates;
      });
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), sequence, (secret, dates) => {
        const { source, derived } = recording(secret);
        let changes = 0;
        let previousDay: string | undefined;
        for (const date of dates) {
          const day = signingDay(date);
          if (day !== previousDay) changes++;
          previousDay = day;
          const key = hex(source.keyFor(date));
          expect(key).toBe(hex(deriveSigningKey(secret, day)));
          expect(derived).toContain(key);
        }
        expect(derived).toHaveLength(changes);
      }),
      { numRuns: 300 },
    );
  });
});
