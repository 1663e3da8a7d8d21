import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseVastDuration, vastDuration, VastExpiryError } from "../src/backends/vast/expiry.js";

const DAY = 86_400_000;
const created = Date.parse("2026-01-10T08:00:00.250Z");

describe("vastDuration", () => {
  it("uses the largest unit that is exact", () => {
    expect(vastDuration(created + 365 * DAY, created)).toBe("1Y");
    expect(vastDuration(created + 180 * DAY, created)).toBe("6M");
    expect(vastDuration(created + 14 * DAY, created)).toBe("2W");
    expect(vastDuration(created + 20 * DAY, created)).toBe("20D");
    expect(vastDuration(created + 36 * 3_600_000, created)).toBe("36h");
    expect(vastDuration(created + 90 * 60_000, created)).toBe("90m");
    expect(vastDuration(created + 61_000, created)).toBe("61s");
  });

  it("rounds down to whole seconds, never outliving the target", () => {
    expect(vastDuration(created + DAY + 999, created)).toBe("1D");
    expect(vastDuration(created + DAY - 1, created)).toBe("86399s");
  });

  it("refuses a target less than a second after creation", () => {
    expect(() => vastDuration(created + 999, created)).toThrow(VastExpiryError);
    expect(() => vastDuration(created - DAY, created)).toThrow(/not at least a second after/);
  });

  it("refuses a target beyond the cluster's maximum", () => {
    const max = created + 180 * DAY;
    expect(vastDuration(max, created, max)).toBe("6M");
    expect(() => vastDuration(max + 1000, created, max)).toThrow(expect.objectContaining({ reason: "over-maximum" }));
  });

  it("gives a string that VMS's grammar reads back to at most the asked span, within a second (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 20 * 365 * DAY }), fc.integer({ min: 0, max: 4e12 }), (span, start) => {
        const text = vastDuration(start + span, start);
        const ms = parseVastDuration(text);
        expect(ms).toBeDefined();
        expect(ms).toBeLessThanOrEqual(span);
        expect(span - (ms as number)).toBeLessThan(1000);
      }),
    );
  });
});

describe("parseVastDuration", () => {
  it("reads every unit of the grammar", () => {
    expect(parseVastDuration("1Y")).toBe(365 * DAY);
    expect(parseVastDuration("2M")).toBe(60 * DAY);
    expect(parseVastDuration("1w")).toBe(7 * DAY);
    expect(parseVastDuration("1W")).toBe(7 * DAY);
    expect(parseVastDuration("180D")).toBe(180 * DAY);
    expect(parseVastDuration("3d")).toBe(3 * DAY);
    expect(parseVastDuration("12h")).toBe(12 * 3_600_000);
    expect(parseVastDuration("12H")).toBe(12 * 3_600_000);
    expect(parseVastDuration("5m")).toBe(300_000);
    expect(parseVastDuration("5s")).toBe(5000);
    expect(parseVastDuration("5S")).toBe(5000);
  });

  it.each(["", "0D", "-1D", "+1D", "1.5D", "1 D", " 1D", "1D ", "1y", "1ms", "D", "01D", "1DD"])("rejects %j", (text) => {
    expect(parseVastDuration(text)).toBeUndefined();
  });

  it("rejects anything but digits and one unit (property)", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const valid = /^[1-9][0-9]{0,11}[YMwWdDhHmsS]$/.test(text);
        expect(parseVastDuration(text) !== undefined).toBe(valid);
      }),
    );
  });
});
