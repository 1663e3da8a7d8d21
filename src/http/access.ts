import { bearerChecker } from "./checks.js";

/**
 * How HTTP mode lets a request in: its credential checked before the body is read
 * (`authenticate`), then what the MCP message asks for against what the credential allows
 * (`authorize`). Two kinds: the static bearer secret (this module) and OAuth access tokens
 * (oauth.ts). SDK-free: the listener hands the caller to the SDK as the request's `auth`.
 */

/** Who sent a request, as its credential says. */
export interface Caller {
  /** The raw credential (the SDK's AuthInfo carries it; nothing here logs or shows it). */
  token: string;
  /** The access token's `sub` (OAuth); undefined with the static bearer, which names no one. */
  subject?: string;
  clientId?: string;
  scopes: readonly string[];
  /** Seconds since the epoch. */
  expiresAt?: number;
}

/** A request turned away: its status, the JSON-RPC error text, and the `WWW-Authenticate` challenge. */
export interface Refusal {
  status: 401 | 403 | 503;
  message: string;
  challenge?: string;
  /** For the refusal log (no credential in it). */
  kind: string;
}

export type Admission = { caller: Caller; refusal?: undefined } | { refusal: Refusal; caller?: undefined };

export interface HttpAccess {
  authenticate(authorization: string | undefined): Promise<Admission>;
  /** Undefined when `caller` may send `message` (a parsed JSON-RPC message or batch). */
  authorize(caller: Caller, message: unknown): Refusal | undefined;
  /** A document served to anyone at `path` (OAuth's protected resource metadata), as JSON text; undefined for other paths. */
  document(path: string): string | undefined;
}

const REALM = 'Bearer realm="sn-tokens-mcp"';

/** The static bearer secret (SN_MCP_HTTP_TOKEN): one caller, allowed everything. */
export function bearerAccess(secret: string): HttpAccess {
  const check = bearerChecker(secret);
  return {
    async authenticate(authorization) {
      const result = check(authorization);
      if (result === "ok") return { caller: { token: secret, scopes: [] } };
      return {
        refusal: {
          status: 401,
          message: "Unauthorized: send Authorization: Bearer <SN_MCP_HTTP_TOKEN>.",
          challenge: result === "missing" ? REALM : `${REALM}, error="invalid_token"`,
          kind: `${result} bearer`,
        },
      };
    },
    authorize: () => undefined,
    document: () => undefined,
  };
}

/** The tools a JSON-RPC message (or batch) calls, and whether it holds anything else. */
export function calledTools(message: unknown): { tools: string[]; other: boolean } {
  const tools: string[] = [];
  let other = false;
  for (const item of Array.isArray(message) ? message : [message]) {
    const { method, params } = (item ?? {}) as { method?: unknown; params?: { name?: unknown } };
    if (method === "tools/call") tools.push(typeof params?.name === "string" ? params.name : "");
    else other = true;
  }
  return { tools, other };
}
