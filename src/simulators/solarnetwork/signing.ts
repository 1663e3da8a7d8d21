import { createHash, createHmac } from "node:crypto";

/**
 * SNWS2's primitives as the API documents them (shared/docs/solarnetwork-api.md, "SNWS2 request
 * signing"), written for the simulator apart from the client's signer so that a bug in one shows
 * as a rejection by the other; test/snws2.vectors.test.ts checks both against the published vectors.
 */

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

const hmacSha256 = (key: string | Uint8Array, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** `yyyyMMdd` of an instant (epoch ms) in UTC: the day a signing key is derived for. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}

/** `HMAC-SHA256(HMAC-SHA256("SNWS2" + secret, yyyyMMdd), "snws2_request")`. */
export function signingKey(secret: string, day: string): Buffer {
  return hmacSha256(hmacSha256(`SNWS2${secret}`, day), "snws2_request");
}

/** Hex `HMAC-SHA256(key, "SNWS2-HMAC-SHA256\n" + yyyyMMdd'T'HHmmss'Z' + "\n" + hex SHA-256 of the canonical request)`. */
export function signatureOf(key: Uint8Array, canonicalRequest: string, dateMs: number): string {
  const timestamp = new Date(dateMs).toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
  return hmacSha256(key, `SNWS2-HMAC-SHA256\n${timestamp}\n${sha256Hex(canonicalRequest)}`).toString("hex");
}
