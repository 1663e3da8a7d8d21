import { DateTime, FixedOffsetZone, IANAZone, type Zone } from "luxon";
import { ExpiryError, parseExpiresIn, quote } from "./expires-in.js";

/**
 * Token expiry: the tools' `expirationDate` + `timeZone` (absolute, as s10k's `--expiration-date` and
 * `--time-zone`) or `expiresIn` (relative, as VAST's `--expiry-date 180D`), resolved to the one instant
 * SolarNetwork stores as the policy's `notAfter`, in epoch milliseconds.
 *
 * Pure functions: the current time is always a parameter, never read here.
 */

export { ExpiryError, EXPIRES_IN_UNITS, MAX_EXPIRES_IN_MS, parseExpiresIn, type ExpiryField } from "./expires-in.js";

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
const DATE_HELP = "give a date such as 2099-03-31 (the start of that day) or a date and time such as 2099-03-31T17:00";

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
          `(e.g. 2099-03-31T17:00) and put the zone in timeZone (e.g. "-05:00", "Pacific/Auckland" or "UTC").`,
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
      "timeZone only applies to expirationDate: give expirationDate too (e.g. 2099-03-31), or drop timeZone " +
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
