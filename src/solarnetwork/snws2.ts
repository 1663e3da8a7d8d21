import { createHash, createHmac } from "node:crypto";

/** SolarNetwork's SNWS2 request signing, as pure functions of a request value. */

export const EMPTY_SHA256_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const SCHEME = "SNWS2";
const ALGORITHM = "SNWS2-HMAC-SHA256";

export interface SignableRequest {
  readonly method: string;
  /** The path exactly as sent on the request line, already percent-encoded. */
  readonly path: string;
  /** Query parameters and `application/x-www-form-urlencoded` body fields, in sent order. */
  readonly parameters: ReadonlyArray<readonly [string, string]>;
  /** Every header to sign; names in any case. Must hold `host` and `x-sn-date` or `date`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body; {@link EMPTY_SHA256_HEX} for no body and for form bodies. */
  readonly bodySha256Hex: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

const UNRESERVED = /[A-Za-z0-9_.~-]/;

/** RFC 3986 encoding: keeps `A-Za-z0-9_-~.`, upper-case `%XX` UTF-8 for everything else. */
export function uriEncode(value: string): string {
  let out = "";
  for (const char of value) {
    if (UNRESERVED.test(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, "utf8")) {
        out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
      }
    }
  }
  return out;
}

/** Parameters sorted by name (stable, so repeated names keep their sent order), each encoded. */
export function canonicalQuery(parameters: SignableRequest["parameters"]): string {
  return [...parameters]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
    .join("&");
}

export interface CanonicalRequest {
  readonly text: string;
  readonly signedHeaderNames: readonly string[];
}

export function canonicalRequest(request: SignableRequest): CanonicalRequest {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) {
    headers.set(name.toLowerCase(), value.trim());
  }
  const signedHeaderNames = [...headers.keys()].sort();
  const text = [
    request.method.toUpperCase(),
    request.path,
    canonicalQuery(request.parameters),
    ...signedHeaderNames.map((name) => `${name}:${headers.get(name)}`),
    signedHeaderNames.join(";"),
    request.bodySha256Hex,
  ].join("\n");
  return { text, signedHeaderNames };
}

/** `yyyyMMdd'T'HHmmss'Z'`, whole seconds, UTC. */
export function signingTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** `yyyyMMdd`, the UTC day a signing key is derived for. */
export function signingDay(date: Date): string {
  return signingTimestamp(date).slice(0, 8);
}

/** The `X-SN-Date` / `Date` header value: `EEE, dd MMM yyyy HH:mm:ss GMT`. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** HMAC-SHA256(HMAC-SHA256("SNWS2" + secret, day), "snws2_request") for a `yyyyMMdd` day. */
export function deriveSigningKey(secret: string, day: string): Buffer {
  return hmac(hmac(SCHEME + secret, day), "snws2_request");
}

export function stringToSign(canonicalRequestText: string, date: Date): string {
  return `${ALGORITHM}\n${signingTimestamp(date)}\n${sha256Hex(canonicalRequestText)}`;
}

export function signature(signingKey: Uint8Array, toSign: string): string {
  return hmac(signingKey, toSign).toString("hex");
}

export function authorizationHeader(tokenId: string, signedHeaderNames: readonly string[], sig: string): string {
  return `${SCHEME} Credential=${tokenId},SignedHeaders=${signedHeaderNames.join(";")},Signature=${sig}`;
}

/**
 * The `Authorization` header value for a request dated `date` (the instant its date header
 * carries), signed with a key derived for that day or up to six days before.
 */
export function sign(request: SignableRequest, tokenId: string, signingKey: Uint8Array, date: Date): string {
  const canonical = canonicalRequest(request);
  const sig = signature(signingKey, stringToSign(canonical.text, date));
  return authorizationHeader(tokenId, canonical.signedHeaderNames, sig);
}
