import { createHmac, hash } from "node:crypto";

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
  // One-shot hash (Node >= 20.12): a fraction of createHash()'s cost on short inputs.
  return hash("sha256", data, "hex");
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

const UNRESERVED = /[A-Za-z0-9_.~-]/;
const ALL_UNRESERVED = /^[A-Za-z0-9_.~-]*$/;
/** What encodeURIComponent leaves alone beyond RFC 3986's unreserved characters. */
const COMPONENT_EXTRAS = /[!'()*]/g;
const percentEncode = (char: string) => "%" + char.charCodeAt(0).toString(16).toUpperCase();

/** RFC 3986 encoding: keeps `A-Za-z0-9_-~.`, upper-case `%XX` UTF-8 for everything else. */
export function uriEncode(value: string): string {
  if (ALL_UNRESERVED.test(value)) return value;
  let encoded: string;
  try {
    // Upper-case %XX of UTF-8, keeping A-Za-z0-9 and -_.!~*'(): only !'()* are left to encode.
    encoded = encodeURIComponent(value);
  } catch {
    // A lone surrogate: encoded below as U+FFFD, as Buffer.from does.
    return uriEncodeEachCharacter(value);
  }
  return encoded.replace(COMPONENT_EXTRAS, percentEncode);
}

function uriEncodeEachCharacter(value: string): string {
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
  const count = parameters.length;
  if (count === 0) return "";
  const sorted = parameters.slice();
  sortInPlace(sorted, (a, b) => a[0] > b[0]);
  let out = "";
  for (let i = 0; i < count; i++) {
    const [name, value] = sorted[i] as readonly [string, string];
    out += `${i === 0 ? "" : "&"}${uriEncode(name)}=${uriEncode(value)}`;
  }
  return out;
}

export interface CanonicalRequest {
  readonly text: string;
  readonly signedHeaderNames: readonly string[];
}

export function canonicalRequest(request: SignableRequest): CanonicalRequest {
  const { text, signedHeaderNames } = canonical(request);
  return { text, signedHeaderNames };
}

/** The canonical request, and its signed header names also joined as the Authorization header lists them. */
function canonical(request: SignableRequest): { text: string; signedHeaderNames: string[]; signedHeaders: string } {
  // Lower-cased names, a later value replacing an earlier one of the same name; then sorted by name.
  const source = request.headers;
  const headers: [string, string][] = [];
  for (const name of Object.keys(source)) {
    const lower = name.toLowerCase();
    const value = (source[name] as string).trim();
    let at = 0;
    while (at < headers.length && (headers[at] as [string, string])[0] !== lower) at++;
    if (at < headers.length) (headers[at] as [string, string])[1] = value;
    else headers.push([lower, value]);
  }
  sortInPlace(headers, (a, b) => a[0] > b[0]);
  const signedHeaderNames: string[] = [];
  let text = `${request.method.toUpperCase()}\n${request.path}\n${canonicalQuery(request.parameters)}\n`;
  for (const [name, value] of headers) {
    signedHeaderNames.push(name);
    text += `${name}:${value}\n`;
  }
  const signedHeaders = signedHeaderNames.join(";");
  text += `${signedHeaders}\n${request.bodySha256Hex}`;
  return { text, signedHeaderNames, signedHeaders };
}

/**
 * A stable sort by `after` (true when `a` goes after `b`). A request has a handful of headers and
 * parameters: insertion sort, with no comparator protocol, is several times faster there than
 * Array.prototype.sort, which stays for long lists.
 */
function sortInPlace<T>(items: T[], after: (a: T, b: T) => boolean): void {
  if (items.length > 16) {
    items.sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));
    return;
  }
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    while (j >= 0 && after(items[j] as T, item)) {
      items[j + 1] = items[j] as T;
      j--;
    }
    items[j + 1] = item;
  }
}

/** `yyyyMMdd'T'HHmmss'Z'`, whole seconds, UTC. */
export function signingTimestamp(date: Date): string {
  const year = date.getUTCFullYear();
  if (year >= 1000 && year <= 9999) {
    // The common case, from the UTC fields: a quarter of the cost of toISOString() and two regexes.
    return `${year}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}T${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}Z`;
  }
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
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
  // Hex straight from the digest: going through a Buffer costs as much again as the HMAC.
  return createHmac("sha256", signingKey).update(toSign, "utf8").digest("hex");
}

export function authorizationHeader(tokenId: string, signedHeaderNames: readonly string[], sig: string): string {
  return `${SCHEME} Credential=${tokenId},SignedHeaders=${signedHeaderNames.join(";")},Signature=${sig}`;
}

/**
 * The `Authorization` header value for a request dated `date` (the instant its date header
 * carries), signed with a key derived for that day or up to six days before.
 */
export function sign(request: SignableRequest, tokenId: string, signingKey: Uint8Array, date: Date): string {
  const { text, signedHeaders } = canonical(request);
  const sig = signature(signingKey, stringToSign(text, date));
  return `${SCHEME} Credential=${tokenId},SignedHeaders=${signedHeaders},Signature=${sig}`;
}
