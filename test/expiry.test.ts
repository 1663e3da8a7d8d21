import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EXPIRES_IN_UNITS,
  ExpiryError,
  MAX_EXPIRES_IN_MS,
  parseExpiresIn,
  resolveExpirationDate,
  resolveExpiry,
  type ExpiryField,
} from "../src/core/expiry.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

/** The ExpiryError `run` throws; fails the test when it throws nothing or something else. */
function expiryError(run: () => unknown): ExpiryError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpiryError);
    return error as ExpiryError;
  }
  throw new Error("expected an ExpiryError, nothing was thrown");
}

function expectRejected(run: () => unknown, field: ExpiryField, message?: RegExp): ExpiryError {
  const error = expiryError(run);
  expect(error.field).toBe(field);
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe("parseExpiresIn", () => {
  it.each([
    ["1Y", 365 * DAY],
    ["2M", 60 * DAY],
    ["3w", 21 * DAY],
    ["3W", 21 * DAY],
    ["180D", 180 * DAY],
    ["180d", 180 * DAY],
    ["5h", 5 * HOUR],
    ["5H", 5 * HOUR],
    ["6m", 6 * MINUTE],
    ["7s", 7 * SECOND],
    ["7S", 7 * SECOND],
  ])("%s is %d ms", (text, ms) => {
    expect(parseExpiresIn(text)).toBe(ms);
  });

  it.each([
    ["P30D", 30 * DAY],
    ["PT12H", 12 * HOUR],
    ["P1Y2M", 365 * DAY + 60 * DAY],
    ["P2W", 14 * DAY],
    ["P1DT2H3M4S", DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND],
  ])("ISO 8601 %s is %d ms (M before T is months, after it minutes)", (text, ms) => {
    expect(parseExpiresIn(text)).toBe(ms);
  });

  it.each(["P", "PT", "P1.5D", "P-1D", "PT0S", "P200Y", "P1H"])("refuses the ISO duration %s, naming expiresIn", (text) => {
    expect(() => parseExpiresIn(text)).toThrow(/expiresIn|zero|too long|ISO 8601/);
  });

  it("tells months (M) from minutes (m)", () => {
    expect(parseExpiresIn("1M")).toBe(30 * DAY);
    expect(parseExpiresIn("1m")).toBe(MINUTE);
  });

  it("has no lower-case y, and says years are an upper-case Y", () => {
    expectRejected(() => parseExpiresIn("1y"), "expiresIn", /unknown unit "y".*upper-case Y/);
  });

  it("ignores whitespace around the value", () => {
    expect(parseExpiresIn(" 30D\n")).toBe(30 * DAY);
  });

  it("accepts leading zeros", () => {
    expect(parseExpiresIn("007D")).toBe(7 * DAY);
  });

  it.each([
    ["0D", /zero/],
    ["000h", /zero/],
    ["-1D", /no sign/],
    ["+1D", /no sign/],
    ["1.5D", /not a decimal/],
    ["1,5D", /not a decimal/],
    [".5D", /not a decimal/],
    ["30 days", /spaces/],
    ["3 0D", /spaces/],
    ["30 D", /spaces/],
    ["30\tD", /spaces/],
    ["30", /no unit/],
    ["D", /not a relative expiry/],
    ["", /empty/],
    ["   ", /empty/],
    ["30X", /unknown unit "X"/],
    ["30Dd", /single-letter unit/],
    ["30days", /single-letter unit/],
    ["1e3D", /not a relative expiry/],
    ["P30", /not an ISO 8601 duration/],
    ["30D!", /not a relative expiry/],
    ["３０D", /not a relative expiry/],
  ])("rejects %j", (text, message) => {
    const error = expectRejected(() => parseExpiresIn(text), "expiresIn", message);
    expect(error.message).toMatch(/e\.g\. 180D/);
  });

  it("caps the duration at 100 years and says so", () => {
    expect(parseExpiresIn("100Y")).toBe(MAX_EXPIRES_IN_MS);
    expect(parseExpiresIn("36500D")).toBe(MAX_EXPIRES_IN_MS);
    expect(parseExpiresIn("1216M")).toBe(1216 * 30 * DAY);
    for (const text of ["101Y", "1217M", "5215w", "36501D", "876001h", "99999999999999999999999999S"]) {
      expectRejected(() => parseExpiresIn(text), "expiresIn", /at most 100 years/);
    }
  });

  it("quotes a long bad value only in part", () => {
    const error = expiryError(() => parseExpiresIn("x".repeat(500)));
    expect(error.message.length).toBeLessThan(400);
  });

  it("property: every valid <n><unit> is n times the unit", () => {
    const units = Object.entries(EXPIRES_IN_UNITS);
    fc.assert(
      fc.property(
        fc.constantFrom(...units).chain(([unit, unitMs]) =>
          fc.tuple(fc.constant(unit), fc.constant(unitMs), fc.integer({ min: 1, max: Math.floor(MAX_EXPIRES_IN_MS / unitMs) })),
        ),
        ([unit, unitMs, n]) => {
          expect(parseExpiresIn(`${n}${unit}`)).toBe(n * unitMs);
        },
      ),
    );
  });

  it("property: anything else is an ExpiryError on expiresIn, never a crash or a bad number", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        try {
          const ms = parseExpiresIn(text);
          expect(text.trim()).toMatch(/^\d+[YMwWdDhHmsS]$/);
          expect(ms).toBeGreaterThan(0);
          expect(ms).toBeLessThanOrEqual(MAX_EXPIRES_IN_MS);
        } catch (error) {
          expect(error).toBeInstanceOf(ExpiryError);
          expect((error as ExpiryError).field).toBe("expiresIn");
        }
      }),
    );
  });
});

describe("resolveExpirationDate", () => {
  it("reads a date as midnight at the start of that day, in UTC by default", () => {
    expect(iso(resolveExpirationDate("2026-03-31", undefined))).toBe("2026-03-31T00:00:00.000Z");
    expect(iso(resolveExpirationDate("2026-03-31", "UTC"))).toBe("2026-03-31T00:00:00.000Z");
    expect(iso(resolveExpirationDate("2026-03-31", "utc"))).toBe("2026-03-31T00:00:00.000Z");
    expect(iso(resolveExpirationDate("2026-03-31", "Etc/UTC"))).toBe("2026-03-31T00:00:00.000Z");
  });

  it("reads a date and time, with or without seconds", () => {
    expect(iso(resolveExpirationDate("2026-03-31T17:00", undefined))).toBe("2026-03-31T17:00:00.000Z");
    expect(iso(resolveExpirationDate("2026-03-31T17:45:30", undefined))).toBe("2026-03-31T17:45:30.000Z");
  });

  it("reads the seed's example in Pacific/Auckland (NZDT, +13:00)", () => {
    expect(iso(resolveExpirationDate("2026-03-31", "Pacific/Auckland"))).toBe("2026-03-30T11:00:00.000Z");
  });

  describe("across Pacific/Auckland's daylight-saving changes", () => {
    const zone = "Pacific/Auckland";
    it("April 2026: NZDT (+13) ends at 03:00 on 5 April, clocks go back to 02:00 NZST (+12)", () => {
      expect(iso(resolveExpirationDate("2026-04-04", zone))).toBe("2026-04-03T11:00:00.000Z");
      expect(iso(resolveExpirationDate("2026-04-05", zone))).toBe("2026-04-04T11:00:00.000Z");
      expect(iso(resolveExpirationDate("2026-04-05T01:59", zone))).toBe("2026-04-04T12:59:00.000Z");
      // 02:30 happens twice: the earlier instant (still +13), as Java's ZonedDateTime and so s10k read it
      expect(iso(resolveExpirationDate("2026-04-05T02:30", zone))).toBe("2026-04-04T13:30:00.000Z");
      expect(iso(resolveExpirationDate("2026-04-05T03:00", zone))).toBe("2026-04-04T15:00:00.000Z");
      expect(iso(resolveExpirationDate("2026-04-06", zone))).toBe("2026-04-05T12:00:00.000Z");
    });

    it("September 2026: NZST (+12) ends at 02:00 on 27 September, clocks jump to 03:00 NZDT (+13)", () => {
      expect(iso(resolveExpirationDate("2026-09-27", zone))).toBe("2026-09-26T12:00:00.000Z");
      expect(iso(resolveExpirationDate("2026-09-27T01:59", zone))).toBe("2026-09-26T13:59:00.000Z");
      // 02:30 does not exist: it moves forward by the gap to 03:30 NZDT
      expect(iso(resolveExpirationDate("2026-09-27T02:30", zone))).toBe("2026-09-26T14:30:00.000Z");
      expect(iso(resolveExpirationDate("2026-09-27T03:00", zone))).toBe("2026-09-26T14:00:00.000Z");
      expect(iso(resolveExpirationDate("2026-09-28", zone))).toBe("2026-09-27T11:00:00.000Z");
    });
  });

  it("reads other IANA zones, with their own daylight saving", () => {
    expect(iso(resolveExpirationDate("2026-01-15T12:00", "America/New_York"))).toBe("2026-01-15T17:00:00.000Z");
    expect(iso(resolveExpirationDate("2026-07-15T12:00", "America/New_York"))).toBe("2026-07-15T16:00:00.000Z");
    expect(iso(resolveExpirationDate("2026-07-15T12:00", "Asia/Kolkata"))).toBe("2026-07-15T06:30:00.000Z");
  });

  it.each([
    ["-05:00", "2026-03-31T22:00:00.000Z"],
    ["+13:00", "2026-03-31T04:00:00.000Z"],
    ["+05:30", "2026-03-31T11:30:00.000Z"],
    ["+0530", "2026-03-31T11:30:00.000Z"],
    ["-05", "2026-03-31T22:00:00.000Z"],
    ["-5", "2026-03-31T22:00:00.000Z"],
    ["+00:00", "2026-03-31T17:00:00.000Z"],
    ["UTC+13:00", "2026-03-31T04:00:00.000Z"],
    ["UTC-5", "2026-03-31T22:00:00.000Z"],
    ["+14:00", "2026-03-31T03:00:00.000Z"],
    ["-12:00", "2026-04-01T05:00:00.000Z"],
  ])("reads 2026-03-31T17:00 at the fixed offset %s", (zone, expected) => {
    expect(iso(resolveExpirationDate("2026-03-31T17:00", zone))).toBe(expected);
  });

  it("accepts 29 February in a leap year only", () => {
    expect(iso(resolveExpirationDate("2028-02-29", undefined))).toBe("2028-02-29T00:00:00.000Z");
    expectRejected(() => resolveExpirationDate("2027-02-29", undefined), "expirationDate", /not a real calendar date/);
  });

  it.each([
    ["2026-02-30", /not a real calendar date/],
    ["2026-04-31", /not a real calendar date/],
    ["2026-13-01", /not a real calendar date/],
    ["2026-00-10", /not a real calendar date/],
    ["2026-03-00", /not a real calendar date/],
    ["2026-03-31T24:00", /not a real calendar date or time/],
    ["2026-03-31T12:60", /not a real calendar date or time/],
    ["2026-03-31T12:00:60", /not a real calendar date or time/],
    ["31/03/2026", /not a date/],
    ["2026-3-31", /not a date/],
    ["20260331", /not a date/],
    ["2026-03", /not a date/],
    ["2026-W14", /not a date/],
    ["2026-03-31T17", /not a date/],
    ["2026-03-31 17:00", /not a date/],
    ["2026-03-31t17:00", /not a date/],
    ["2026-03-31T17:00:00.000", /not a date/],
    ["tomorrow", /not a date/],
    ["", /not a date/],
  ])("rejects %j as an expirationDate", (date, message) => {
    const error = expectRejected(() => resolveExpirationDate(date, "UTC"), "expirationDate", message);
    expect(error.message).toMatch(/2099-03-31T17:00/);
  });

  it.each(["2026-03-31T17:00Z", "2026-03-31T17:00:00z", "2026-03-31T17:00-05:00", "2026-03-31T17:00:00+13:00", "2026-03-31T17:00:00.000Z"])(
    "rejects %j, which carries its own offset, and points to timeZone",
    (date) => {
      expectRejected(() => resolveExpirationDate(date, undefined), "expirationDate", /offset or Z.*put the zone in timeZone/);
    },
  );

  it.each(["Mars/Olympus", "local", "system", "default", "Z", "", "  ", "+15:00", "-14:30", "+05:60", "Pacific/Auckland!", "../etc/passwd", "UTC+", "GMT+25"])(
    "rejects the time zone %j",
    (zone) => {
      const error = expectRejected(() => resolveExpirationDate("2099-01-01", zone), "timeZone");
      expect(error.message).toMatch(/Pacific\/Auckland|-14:00 to \+14:00/);
    },
  );

  it("ignores whitespace around the date and the zone", () => {
    expect(iso(resolveExpirationDate(" 2026-03-31 ", " Pacific/Auckland "))).toBe("2026-03-30T11:00:00.000Z");
  });
});

describe("resolveExpiry", () => {
  const now = at("2026-01-10T08:00:00Z");

  it("is undefined when no expiry is asked for", () => {
    expect(resolveExpiry({}, now)).toBeUndefined();
  });

  it("counts expiresIn from the given now, not the clock", () => {
    expect(resolveExpiry({ expiresIn: "30D" }, now)).toBe(now + 30 * DAY);
    expect(resolveExpiry({ expiresIn: "30D" }, now + 1)).toBe(now + 1 + 30 * DAY);
    expect(resolveExpiry({ expiresIn: "90m" }, 0)).toBe(90 * MINUTE);
  });

  it("resolves expirationDate in timeZone, default UTC", () => {
    expect(iso(resolveExpiry({ expirationDate: "2026-03-31" }, now) ?? 0)).toBe("2026-03-31T00:00:00.000Z");
    expect(iso(resolveExpiry({ expirationDate: "2026-03-31", timeZone: "Pacific/Auckland" }, now) ?? 0)).toBe(
      "2026-03-30T11:00:00.000Z",
    );
  });

  it("rejects both expirationDate and expiresIn", () => {
    expectRejected(() => resolveExpiry({ expirationDate: "2026-03-31", expiresIn: "30D" }, now), "expiresIn", /not both/);
  });

  it("rejects timeZone without expirationDate", () => {
    expectRejected(() => resolveExpiry({ timeZone: "UTC" }, now), "timeZone", /only applies to expirationDate/);
    expectRejected(() => resolveExpiry({ timeZone: "UTC", expiresIn: "30D" }, now), "timeZone", /only applies to expirationDate/);
  });

  it("rejects an expiry in the past, or exactly now, and shows the instant it understood", () => {
    const error = expectRejected(() => resolveExpiry({ expirationDate: "2020-01-01" }, now), "expirationDate", /in the past/);
    expect(error.message).toContain("2020-01-01T00:00:00.000Z");
    expectRejected(() => resolveExpiry({ expirationDate: "2026-01-10T08:00" }, now), "expirationDate", /in the past/);
    // 08:00 in Auckland on the 10th is 19:00 UTC on the 9th: already gone
    expectRejected(
      () => resolveExpiry({ expirationDate: "2026-01-10T08:00", timeZone: "Pacific/Auckland" }, now),
      "expirationDate",
      /in the past/,
    );
    expect(resolveExpiry({ expirationDate: "2026-01-10T08:00:01" }, now)).toBe(now + SECOND);
  });

  it("names the field at fault inside a combined call", () => {
    expectRejected(() => resolveExpiry({ expirationDate: "2099-01-01", timeZone: "Mars/Olympus" }, now), "timeZone");
    expectRejected(() => resolveExpiry({ expirationDate: "2026-02-30" }, now), "expirationDate");
    expectRejected(() => resolveExpiry({ expiresIn: "30 days" }, now), "expiresIn");
    expectRejected(() => resolveExpiry({ expirationDate: "" }, now), "expirationDate");
    expectRejected(() => resolveExpiry({ expiresIn: "" }, now), "expiresIn");
  });

  it("throws an Error subclass with a name and a field", () => {
    const error = expiryError(() => resolveExpiry({ expiresIn: "1y" }, now));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ExpiryError");
    expect(error.field).toBe("expiresIn");
  });
});
