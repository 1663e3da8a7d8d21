import { UserInputError } from "../../core/errors.js";
import { vastDuration, VastExpiryError } from "./expiry.js";

/**
 * The VMS duration (counted from `created`) that ends a token at `expiry` at the latest, checked
 * against the cluster's longest lifetime; a bad one names the expiry field the caller gave.
 */
export function durationFor(
  expiry: number,
  created: number,
  maxLifetimeMs: number | undefined,
  input: { expiresIn?: string },
): string {
  try {
    return vastDuration(expiry, created, maxLifetimeMs === undefined ? undefined : created + maxLifetimeMs);
  } catch (error) {
    if (!(error instanceof VastExpiryError)) throw error;
    const field = input.expiresIn !== undefined ? "expiresIn" : "expirationDate";
    throw new UserInputError(field, `${error.message}.`);
  }
}
