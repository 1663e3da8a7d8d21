import { EXPIRES_IN_UNITS } from "../../core/expiry.js";

/**
 * VMS's expiry grammar (the units of `expiresIn`, core/expiry.ts): one positive whole number immediately followed by one unit, counted from
 * the token's creation (on create and on modify alike), e.g. `180D`, `6M`, `12h`.
 */

const SECOND = 1000;
const DAY = 86_400 * SECOND;

/** Largest first: `vastDuration` picks the first unit that divides the span exactly. */
const UNITS: ReadonlyArray<readonly [unit: string, ms: number]> = [
  ["Y", 365 * DAY],
  ["M", 30 * DAY],
  ["W", 7 * DAY],
  ["D", DAY],
  ["h", 3_600 * SECOND],
  ["m", 60 * SECOND],
  ["s", SECOND],
];

const GRAMMAR = /^([1-9][0-9]{0,11})([YMwWdDhHmsS])$/;

export class VastExpiryError extends Error {
  override readonly name = "VastExpiryError";

  constructor(
    readonly reason: "not-after-creation" | "over-maximum",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The expiry to send so that the token, created at `createdEpochMs`, expires at `targetEpochMs` or
 * at most one second before it: never later than asked. `maxEpochMs`: the latest expiry VMS allows
 * (creation + the password expiration timeout), when known.
 */
export function vastDuration(targetEpochMs: number, createdEpochMs: number, maxEpochMs?: number): string {
  if (maxEpochMs !== undefined && targetEpochMs > maxEpochMs) {
    throw new VastExpiryError(
      "over-maximum",
      `the expiry ${new Date(targetEpochMs).toISOString()} is later than this cluster allows (${new Date(maxEpochMs).toISOString()})`,
    );
  }
  const seconds = Math.floor((targetEpochMs - createdEpochMs) / SECOND);
  if (!(seconds >= 1)) {
    throw new VastExpiryError(
      "not-after-creation",
      `the expiry ${new Date(targetEpochMs).toISOString()} is not at least a second after the token's creation (${new Date(createdEpochMs).toISOString()})`,
    );
  }
  const spanMs = seconds * SECOND;
  const [unit, ms] = UNITS.find(([, unitMs]) => spanMs % unitMs === 0) as readonly [string, number];
  return `${spanMs / ms}${unit}`;
}

/** Milliseconds of a duration in VMS's grammar, or undefined when it does not follow the grammar. */
export function parseVastDuration(text: string): number | undefined {
  const match = GRAMMAR.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (EXPIRES_IN_UNITS[match[2] as string] as number);
}
