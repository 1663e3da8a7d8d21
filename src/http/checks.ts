import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { isLoopbackHost, isWildcardHost } from "./hosts.js";
import { normaliseOrigin, parseHostHeader } from "./options.js";

/**
 * The checks every HTTP request passes before it reaches MCP: Host and Origin against an
 * allow-list (DNS-rebinding protection), then the bearer secret. Pure functions, no I/O.
 */

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

export interface AllowList {
  /** `name:port` entries (exact) and `name` entries (any port), lower case. */
  hosts: ReadonlySet<string>;
  /** Normalised origins. */
  origins: ReadonlySet<string>;
}

/**
 * What a client may send as `Host` and `Origin` to a server listening on `host:port`: the
 * loopback names (when listening on loopback or on every interface) or the bound name itself,
 * on that port, plus the operator's extra entries.
 */
export function buildAllowList(host: string, port: number, extraHosts: readonly string[], extraOrigins: readonly string[]): AllowList {
  const names = new Set<string>();
  if (isLoopbackHost(host) || isWildcardHost(host)) for (const name of LOOPBACK_NAMES) names.add(name);
  if (!isWildcardHost(host)) names.add(isIP(host) === 6 ? `[${host.toLowerCase()}]` : host.toLowerCase());
  const hosts = new Set<string>(extraHosts.map((entry) => entry.toLowerCase()));
  const origins = new Set<string>(extraOrigins);
  for (const name of names) {
    hosts.add(`${name}:${port}`);
    const origin = normaliseOrigin(`http://${name}:${port}`);
    if (origin) origins.add(origin);
  }
  return { hosts, origins };
}

export function isAllowedHost(header: string | undefined, allow: AllowList): boolean {
  if (!header) return false;
  const parsed = parseHostHeader(header);
  if (!parsed) return false;
  const port = parsed.port ?? 80;
  return allow.hosts.has(`${parsed.name}:${port}`) || allow.hosts.has(parsed.name);
}

/** A missing Origin is a non-browser client: fine. A present one must be listed. */
export function isAllowedOrigin(header: string | undefined, allow: AllowList): boolean {
  if (header === undefined) return true;
  const origin = normaliseOrigin(header);
  return origin !== undefined && allow.origins.has(origin);
}

export type BearerCheck = "ok" | "missing" | "wrong";

/** Compares in constant time (over SHA-256 digests, so the length does not leak either). */
export function bearerChecker(secret: string): (authorization: string | undefined) => BearerCheck {
  const expected = digest(secret);
  return (authorization) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
    if (!match) return authorization ? "wrong" : "missing";
    return timingSafeEqual(digest(match[1] as string), expected) ? "ok" : "wrong";
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
