/**
 * The relative expiry (`expiresIn`, as VAST's `--expiry-date 180D`, and `SN_MCP_MAX_LIFETIME`) and the
 * error every expiry field raises. Free of luxon: reading the configuration needs only this.
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
export function quote(text: string): string {
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
