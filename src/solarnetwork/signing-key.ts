import { deriveSigningKey, signingDay } from "./snws2.js";

/** Where the client gets the SNWS2 signing key for a request's date. */
export interface SigningKeySource {
  keyFor(date: Date): Uint8Array;
}

/**
 * Derives keys from the token secret, caching the current day's key so that each request costs
 * one HMAC, not three. `onDerive` lets the redactor learn every key it must hide.
 */
export function secretKeySource(secret: string, onDerive: (key: Buffer) => void = () => {}): SigningKeySource {
  let cached: { day: string; key: Buffer } | undefined;
  return {
    keyFor(date) {
      const day = signingDay(date);
      if (cached?.day !== day) {
        cached = { day, key: deriveSigningKey(secret, day) };
        onDerive(cached.key);
      }
      return cached.key;
    },
  };
}
