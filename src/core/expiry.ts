import { DateTime, FixedOffsetZone, IANAZone, type Zone } from "luxon";

/**
 * Token expiry: the tools' `expirationDate` + `timeZone` (absolute, as s10k's `--expiration-date` and
 * `--time-zone`) or `expiresIn` (relative, as VAST's `--expiry-date 180D`), resolved to the one instant
 * SolarNetwork stores as the policy's `notAfter`, in epoch milliseconds.
 *
 * Pure functions: the current time is always a parameter, never read here.
 */

export type ExpiryField = "expirationDate" | "expiresIn" | "timeZone";

/** Invalid expiry input; `field` names the tool argument at fault, the message says what a valid value looks like. */
export class ExpiryError extends Error {
  override readonly name = "ExpiryError";

  constructor(
    readonly field: ExpiryField,
    message: string,
  ) {
    super(message);
  }
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds per `expiresIn` unit. Case matters only for `M` (months) versus `m` (minutes); `y` is not a unit. */
export const EXPIRES_IN_UNITS: Readonly<Record<string, number>> = {
  Y: 365 * DAY,
  M: 30 * DAY,
  w: 7 * DAY,
  W: 7 * DAY,
  d: DAY,
  D: DAY,
  h: HOUR,
  H: HOUR,
  m: MINUTE,
  s: SECOND,
  S: SECOND,
};

/** The longest relative expiry accepted: 100 years of 365 days. */
export const MAX_EXPIRES_IN_MS = 100 * 365 * DAY;

const EXPIRES_IN_HELP =
  "give a whole number and one unit with nothing between them, e.g. 180D or 12h; units: Y years (365 days), " +
  "M months (30 days), w or W weeks, d or D days, h or H hours, m minutes, s or S seconds; or an ISO 8601 duration, e.g. P30D";

/** A user's text, quoted and shortened for an error message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * The duration an `expiresIn` value such as `180D` stands for, in milliseconds.
 * Leading and trailing whitespace is ignored; anything else outside the grammar is an {@link ExpiryError}.
 */
export function parseExpiresIn(text: string): number {
  const value = text.trim();
  if (/^P/.test(value)) return checkedSpan(text, isoDurationMs(text, value));
  const match = /^(\d+)([A-Za-z])$/.exec(value);
  if (!match) {
    let problem = "is not a relative expiry";
    if (value === "") problem = "is empty";
    else if (/\s/.test(value)) problem = "must not contain spaces";
    else if (/^[+-]/.test(value)) problem = "must be a positive whole number and a unit, with no sign";
    else if (/^\d*[.,]\d/.test(value)) problem = "must be a whole number, not a decimal";
    else if (/^\d+$/.test(value)) problem = "has no unit";
    else if (/^\d+[A-Za-z]{2,}$/.test(value)) problem = "must have a single-letter unit";
    throw new ExpiryError("expiresIn", `${quote(text)} ${problem}: ${EXPIRES_IN_HELP}.`);
  }
  const [, digits = "", unit = ""] = match;
  const unitMs = EXPIRES_IN_UNITS[unit];
  if (unitMs === undefined) {
    const hint = unit === "y" ? " (years are an upper-case Y)" : "";
    throw new ExpiryError("expiresIn", `${quote(text)} has an unknown unit "${unit}"${hint}: ${EXPIRES_IN_HELP}.`);
  }
  return checkedSpan(text, Number(digits) * unitMs);
}

/** ISO 8601 durations (`P30D`, `PT12H`, `P1Y2M`), Y and M counted as in `expiresIn` (365 and 30 days). */
const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

function isoDurationMs(text: string, value: string): number {
  const match = value === "P" ? null : ISO_DURATION.exec(value);
  if (!match) throw new ExpiryError("expiresIn", `${quote(text)} is not an ISO 8601 duration such as P30D or PT12H: ${EXPIRES_IN_HELP}.`);
  const units = ["Y", "M", "W", "D", "H", "m", "S"] as const;
  return units.reduce((sum, unit, index) => sum + Number(match[index + 1] ?? 0) * (EXPIRES_IN_UNITS[unit] as number), 0);
}

function checkedSpan(text: string, ms: number): number {
  if (ms === 0) {
    throw new ExpiryError("expiresIn", `${quote(text)} is zero: an expiry must be in the future; ${EXPIRES_IN_HELP}.`);
  }
  if (ms > MAX_EXPIRES_IN_MS) {
    throw new ExpiryError(
      "expiresIn",
      `${quote(text)} is too long: at most 100 years (100Y, 1216M, 5214w, 36500D); give a shorter expiry, or none.`,
    );
  }
  return ms;
}

const OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const TIME_ZONE_HELP =
  "give an IANA time zone such as Pacific/Auckland or America/New_York, an offset from UTC such as -05:00 or +13:00, or UTC";

/** The luxon zone a `timeZone` argument names; UTC when none is given. */
function zoneOf(timeZone: string | undefined): Zone {
  if (timeZone === undefined) return FixedOffsetZone.utcInstance;
  const name = timeZone.trim();
  if (/^UTC$/i.test(name)) return FixedOffsetZone.utcInstance;
  const offset = OFFSET.exec(name);
  if (offset) {
    const [, sign, hh = "", mm = "00"] = offset;
    const hours = Number(hh);
    const minutes = Number(mm);
    if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) {
      throw new ExpiryError("timeZone", `${quote(timeZone)} is not a valid offset: offsets run from -14:00 to +14:00.`);
    }
    // luxon names fixed offsets "UTC-5" or "UTC+13:00"; building the zone from minutes avoids the conversion.
    return FixedOffsetZone.instance((sign === "-" ? -1 : 1) * (hours * 60 + minutes));
  }
  // Only real IANA names: luxon would also take "local" or "system" (the server's own zone) and "UTC+5" styles.
  if (name !== "" && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) && IANAZone.isValidZone(name)) {
    return IANAZone.create(name);
  }
  throw new ExpiryError("timeZone", `${quote(timeZone)} is not a known time zone: ${TIME_ZONE_HELP}.`);
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const DATE_HELP = "give a date such as 2026-03-31 (the start of that day) or a date and time such as 2026-03-31T17:00";

/**
 * The instant an `expirationDate` names, read as a local date or date-time in `timeZone` (default UTC), in epoch
 * milliseconds. A date alone means midnight at the start of that day. A local time that a daylight-saving change
 * skips moves forward by the gap; one that occurs twice means the earlier instant (as Java's `ZonedDateTime`, and so
 * s10k, read them).
 */
export function resolveExpirationDate(date: string, timeZone: string | undefined): number {
  const zone = zoneOf(timeZone);
  const value = date.trim();
  const match = LOCAL_DATE_TIME.exec(value);
  if (!match) {
    if (WITH_OFFSET.test(value)) {
      throw new ExpiryError(
        "expirationDate",
        `${quote(date)} carries its own offset or Z: give the local date and time without it ` +
          `(e.g. 2026-03-31T17:00) and put the zone in timeZone (e.g. "-05:00", "Pacific/Auckland" or "UTC").`,
      );
    }
    throw new ExpiryError("expirationDate", `${quote(date)} is not a date: ${DATE_HELP}.`);
  }
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const dateTime = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
  // luxon takes hour 24 (ISO 8601's "end of day") as the next day's midnight: not a form we offer
  if (!dateTime.isValid || hour > 23) {
    throw new ExpiryError("expirationDate", `${quote(date)} is not a real calendar date or time: ${DATE_HELP}.`);
  }
  return dateTime.toMillis();
}

export interface ExpiryInput {
  expirationDate?: string;
  timeZone?: string;
  expiresIn?: string;
}

/**
 * The one expiry instant (epoch ms) the arguments ask for, or `undefined` when they ask for none.
 * `now` is the current time in epoch ms; the result is always after it.
 */
export function resolveExpiry(input: ExpiryInput, now: number): number | undefined {
  const { expirationDate, timeZone, expiresIn } = input;
  if (expirationDate !== undefined && expiresIn !== undefined) {
    throw new ExpiryError(
      "expiresIn",
      "give either expirationDate (an absolute date) or expiresIn (relative to now, e.g. 180D), not both.",
    );
  }
  if (timeZone !== undefined && expirationDate === undefined) {
    throw new ExpiryError(
      "timeZone",
      "timeZone only applies to expirationDate: give expirationDate too (e.g. 2026-03-31), or drop timeZone " +
        "(expiresIn counts from now and needs no zone).",
    );
  }
  if (expiresIn !== undefined) return now + parseExpiresIn(expiresIn);
  if (expirationDate === undefined) return undefined;
  const instant = resolveExpirationDate(expirationDate, timeZone);
  if (instant <= now) {
    const zone = timeZone === undefined ? "UTC" : timeZone.trim();
    throw new ExpiryError(
      "expirationDate",
      `${quote(expirationDate)} in ${zone} is ${new Date(instant).toISOString()}, which is in the past ` +
        `(now is ${new Date(now).toISOString()}): give a later date, or expiresIn such as 90D.`,
    );
  }
  return instant;
}
