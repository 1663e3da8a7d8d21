import { createHash, timingSafeEqual } from "node:crypto";
import { matchesAntPattern } from "./ant-path.js";
import { isExpired } from "./policy.js";
import { sha256Hex, signatureOf, signingKey, utcDay } from "./signing.js";
import type { StoredToken } from "./store.js";

/**
 * Server-side SNWS2 verification, in the order SolarNetwork's `SecurityTokenAuthenticationFilter`
 * and `AuthenticationDataV2` apply it, with their messages. The canonical request is rebuilt here
 * from the raw request, and signed with the simulator's own primitives (./signing.ts), sharing no
 * code with the client's signer, so a signer bug shows up as a rejection.
 */

/** A request as received, before any interpretation. */
export interface ReceivedRequest {
  readonly method: string;
  /** The path exactly as on the request line (still percent-encoded). */
  readonly rawPath: string;
  /** The query string as received, without `?`. */
  readonly rawQuery: string;
  /** Decoded query parameters, then decoded form-body fields, in received order. */
  readonly parameters: ReadonlyArray<readonly [string, string]>;
  /** Header names (lower case) in received order, each with its first value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** The body was read as `application/x-www-form-urlencoded` fields (a POST, as Tomcat does). */
  readonly formBody: boolean;
}

export type Verification =
  | { readonly ok: true; readonly token: StoredToken }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly message: string;
      /**
       * Failures reported through the authentication entry point's `commence` carry
       * `WWW-Authenticate` and `X-SN-ErrorMessage`; access-denied ones (`handle`) do not.
       */
      readonly challenge: boolean;
    };

export interface VerifyOptions {
  /** Server clock, epoch ms. */
  readonly now: number;
  readonly lookup: (tokenId: string) => StoredToken | undefined;
  /** The path `apiPaths` patterns are matched against (after the context and `/api/v1/sec`). */
  readonly apiPath: string;
  readonly maxDateSkewMs?: number;
  /** Host and port the server listens on, used when a request's Host header is empty. */
  readonly serverHost?: string;
}

export const MAX_DATE_SKEW_MS = 15 * 60 * 1000;
export const MAX_REQUEST_BODY_BYTES = 65_535;
const SCHEME = "SNWS2";
const V1_SCHEME = "SolarNetworkWS";
const DAY_MS = 86_400_000;

class Rejection extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
    readonly challenge = true,
  ) {
    super(message);
  }
}

/**
 * Verifies an `Authorization: SNWS2 ...` request. `undefined` when the request carries no
 * SNWS2 authorization at all (the caller treats it as anonymous).
 */
export function verifyRequest(request: ReceivedRequest, options: VerifyOptions): Verification | undefined {
  const authorization = request.headers.get("authorization");
  if (authorization === undefined) return undefined;
  try {
    if (authorization.startsWith(V1_SCHEME)) {
      // The legacy V1 scheme is not simulated.
      throw new Rejection(403, "Bad credentials");
    }
    if (!authorization.startsWith(SCHEME)) return undefined;
    return { ok: true, token: verify(request, authorization.slice(SCHEME.length + 1), options) };
  } catch (error) {
    if (error instanceof Rejection) {
      return { ok: false, status: error.status, message: error.message, challenge: error.challenge };
    }
    throw error;
  }
}

function verify(request: ReceivedRequest, headerData: string, options: VerifyOptions): StoredToken {
  // AuthenticationData: the request date.
  const date = requestDate(request);

  // AuthenticationDataV2: the Authorization components.
  const components = componentMap(headerData);
  const tokenId = components.get("Credential");
  if (tokenId === undefined) throw new Rejection(403, "Invalid Credential value");
  const providedSignature = components.get("Signature");
  if (providedSignature === undefined || providedSignature.length !== 64) {
    throw new Rejection(403, "Invalid Signature value");
  }
  const signedHeaderSet = delimitedSet(components.get("SignedHeaders"));
  if (signedHeaderSet.size < 2) throw new Rejection(403, "Invalid SignedHeaders value");
  const signedHeaders = [...signedHeaderSet].map((name) => name.toLowerCase()).sort();
  validateSignedHeaderNames(request, signedHeaders);
  validateContentDigest(request);
  if (request.body.length > MAX_REQUEST_BODY_BYTES) {
    throw new Rejection(403, `Maximum upload size of ${MAX_REQUEST_BODY_BYTES} bytes exceeded`, false);
  }

  // SecurityTokenAuthenticationFilter: credential, expiry, API paths, signature, then skew.
  const token = options.lookup(tokenId);
  if (!token || token.status !== "Active") throw new Rejection(403, "Bad credentials");
  if (isExpired(token.policy, options.now)) throw new Rejection(401, "Expired token");
  if (!apiPathAllowed(token.policy?.apiPaths, options.apiPath)) throw new Rejection(403, "Access denied");

  const canonical = canonicalRequestText(request, signedHeaders, options.serverHost);
  const provided = Buffer.from(providedSignature, "utf8");
  let matched = false;
  // Keys are valid for seven days: try the request's day and the six before, every time.
  for (let i = 0; i < 7; i++) {
    const key = signingKey(token.secret, utcDay(date - i * DAY_MS));
    const computed = Buffer.from(signatureOf(key, canonical, date), "utf8");
    if (computed.length === provided.length && timingSafeEqual(computed, provided)) matched = true;
  }
  if (!matched) throw new Rejection(403, "Bad credentials");

  const skew = Math.abs(options.now - date);
  if (!(skew < (options.maxDateSkewMs ?? MAX_DATE_SKEW_MS))) throw new Rejection(403, "Date skew too large");
  return token;
}

function requestDate(request: ReceivedRequest): number {
  let header = "X-SN-Date";
  let value = request.headers.get("x-sn-date");
  if (value === undefined) {
    header = "Date";
    value = request.headers.get("date");
  }
  if (value === undefined) throw new Rejection(403, "Missing or invalid HTTP Date header value");
  const parsed = parseHttpDate(value);
  if (parsed === undefined) throw new Rejection(403, `Invalid HTTP ${header} header value`);
  return parsed;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The three HTTP date formats a servlet container's `getDateHeader` accepts. */
export function parseHttpDate(value: string): number | undefined {
  let match = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(value);
  if (match) return utc(match[3], match[2], match[1], match[4], match[5], match[6]);
  match = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(value);
  if (match) return utc(`19${match[3]}`, match[2], match[1], match[4], match[5], match[6]);
  match = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(value);
  if (match) return utc(match[6], match[1], match[2]?.trim(), match[3], match[4], match[5]);
  return undefined;
}

function utc(...parts: (string | undefined)[]): number | undefined {
  const [year, monthName, day, hour, minute, second] = parts;
  const month = MONTHS.indexOf(monthName ?? "");
  if (month < 0) return undefined;
  const values = [year, day, hour, minute, second].map(Number);
  const [y, d, h, m, s] = values as [number, number, number, number, number];
  if (d < 1 || d > 31 || h > 23 || m > 59 || s > 59) return undefined;
  return Date.UTC(y, month, d, h, m, s);
}

/** `Credential=..,SignedHeaders=..,Signature=..`: split on `,`, each at its first `=`, untrimmed. */
function componentMap(headerData: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const component of headerData.split(",")) {
    const split = component.indexOf("=");
    if (split > 0) map.set(component.slice(0, split), component.slice(split + 1));
  }
  return map;
}

function delimitedSet(value: string | undefined): Set<string> {
  const set = new Set<string>();
  for (const part of value?.split(";") ?? []) {
    const trimmed = part.trim();
    if (trimmed !== "") set.add(trimmed);
  }
  return set;
}

function validateSignedHeaderNames(request: ReceivedRequest, signed: readonly string[]): void {
  if (!signed.includes("host")) {
    throw new Rejection(403, "The 'Host' HTTP header must be included in SignedHeaders");
  }
  if (!signed.includes("x-sn-date") && !signed.includes("date")) {
    throw new Rejection(403, "One of the 'Date' or 'X-SN-Date' HTTP headers must be included in SignedHeaders");
  }
  for (const name of request.headers.keys()) {
    const mustInclude =
      name.startsWith("x-sn-") || name === "content-type" || name === "content-md5" || name === "digest";
    if (mustInclude && !signed.includes(name)) {
      throw new Rejection(403, `The '${name}' HTTP header must be included in SignedHeaders`);
    }
  }
}

const DIGESTS: Readonly<Record<string, { node: string; hexLength: number }>> = {
  md5: { node: "md5", hexLength: 32 },
  sha: { node: "sha1", hexLength: 40 },
  "sha-256": { node: "sha256", hexLength: 64 },
  "sha-512": { node: "sha512", hexLength: 128 },
};

/** `Digest: alg=value[,alg=value]` (first supported algorithm wins), else `Content-MD5`. */
function validateContentDigest(request: ReceivedRequest): void {
  const digest = request.headers.get("digest");
  if (digest !== undefined) {
    for (const part of digest.split(",")) {
      const split = part.indexOf("=");
      if (split <= 0) continue;
      const name = part.slice(0, split).toLowerCase();
      if (!(name in DIGESTS)) continue;
      checkDigest(request, name, part.slice(split + 1));
      return;
    }
    return;
  }
  const md5 = request.headers.get("content-md5");
  if (md5 !== undefined) checkDigest(request, "md5", md5);
}

function checkDigest(request: ReceivedRequest, name: string, provided: string): void {
  const algorithm = DIGESTS[name] as { node: string; hexLength: number };
  if (request.body.length > MAX_REQUEST_BODY_BYTES) throw new Rejection(403, "Content too large");
  const computed = createHash(algorithm.node).update(request.body).digest();
  let given: Buffer;
  if (provided.length === algorithm.hexLength) {
    if (!/^[0-9A-Fa-f]*$/.test(provided)) throw new Rejection(403, `Invalid Digest ${name} encoding`);
    given = Buffer.from(provided, "hex");
  } else {
    given = Buffer.from(provided, "base64");
  }
  if (given.length !== computed.length || !timingSafeEqual(given, computed)) {
    throw new Rejection(403, `Content ${name} digest value mismatch`);
  }
}

function apiPathAllowed(apiPaths: readonly string[] | undefined, path: string): boolean {
  if (!apiPaths || apiPaths.length === 0) return true;
  for (let pattern of apiPaths) {
    if (pattern === "") continue;
    const inverted = pattern.startsWith("!");
    if (inverted) pattern = pattern.slice(1);
    if (matchesAntPattern(pattern, path) !== inverted) return true;
  }
  return false;
}

/** RFC 3986 unreserved characters kept, everything else upper-case `%XX` of its UTF-8 bytes. */
function encode(value: string): string {
  return Array.from(Buffer.from(value, "utf8"), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_.~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
}

/** The canonical request the server signs, from the raw request. */
export function canonicalRequestText(
  request: ReceivedRequest,
  signedHeaders: readonly string[],
  serverHost?: string,
): string {
  const names = [...new Set(request.parameters.map(([name]) => name))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const query = names
    .flatMap((name) =>
      request.parameters.filter(([n]) => n === name).map(([, value]) => `${encode(name)}=${encode(value)}`),
    )
    .join("&");
  const headerLines = signedHeaders.map((name) => `${name}:${signedHeaderValue(request, name, serverHost)}`);
  const bodyHash = request.formBody ? sha256Hex("") : sha256Hex(request.body);
  return [request.method, request.rawPath, query, ...headerLines, signedHeaders.join(";"), bodyHash].join("\n");
}

function signedHeaderValue(request: ReceivedRequest, name: string, serverHost: string | undefined): string {
  let value = (request.headers.get(name) ?? "").trim();
  if (name !== "host") return value;
  if (value === "") return serverHost ?? "";
  if (!value.includes(":")) {
    // Behind a proxy the server adds the forwarded port (443 for https) unless it is 80.
    let port = (request.headers.get("x-forwarded-port") ?? "").trim();
    if (port === "" && (request.headers.get("x-forwarded-proto") ?? "").trim().toLowerCase() === "https") {
      port = "443";
    }
    if (port !== "" && port !== "80") value += `:${port}`;
  }
  return value;
}
