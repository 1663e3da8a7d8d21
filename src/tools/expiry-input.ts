import { ExpiryError, parseExpiresIn, resolveExpiry } from "../core/expiry.js";
import { UserInputError } from "../core/errors.js";

/** The expiry fields a create or update call gives, on every backend. */
export interface ExpiryInput {
  expirationDate?: string;
  timeZone?: string;
  expiresIn?: string;
}

/** The expiry instant (epoch ms) the arguments ask for, undefined for none; bad input names its field. */
export function resolvedExpiry(input: ExpiryInput, now: number): number | undefined {
  try {
    return resolveExpiry(input, now);
  } catch (error) {
    if (error instanceof ExpiryError) throw new UserInputError(error.field, error.message);
    throw error;
  }
}

const ONE_HOUR_MS = 3_600_000;

/** A relative expiry under an hour is more often a slip (`6m` is six minutes, `6M` six months) than meant. */
export function expiryWarnings(input: ExpiryInput): string[] {
  if (input.expiresIn === undefined || parseExpiresIn(input.expiresIn) >= ONE_HOUR_MS) return [];
  return [
    `expiresIn "${input.expiresIn.trim()}" gives the token less than an hour to live (m is minutes, M is 30-day months). If you meant longer, update its expiry now.`,
  ];
}
