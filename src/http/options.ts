import { ConfigError } from "../config.js";
import { isWildcardHost } from "./hosts.js";
import { readOAuthSettings, type OAuthSettings } from "./oauth-settings.js";

/**
 * The HTTP mode's settings: where to listen (flags), how clients authenticate (the bearer secret or
 * OAuth) and the extra allowed Host/Origin values (environment). Credentials never come from flags.
 */

export const DEFAULT_HTTP_HOST = "127.0.0.1";
export const DEFAULT_HTTP_PORT = 8808;
/** Bearer secrets shorter than this are refused: 32 random characters resist guessing. */
export const MIN_HTTP_TOKEN_LENGTH = 32;
/** Request bodies larger than this get 413. Tool calls are a few KiB at most. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How long shutdown waits for in-flight calls before cutting them off. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** Generous for one machine's MCP clients, far below a process's descriptor limit. */
const DEFAULT_MAX_CONNECTIONS = 256;
/** Open MCP sessions at most; each holds an MCP server of its own. */
export const DEFAULT_MAX_SESSIONS = 100;
/** A session with no request for this long is closed (its client starts a new one when it returns). */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

export interface HttpOptions {
  host: string;
  /** 0 picks a free port (the log line and `url` tell which). */
  port: number;
  /** The bearer secret every request must carry; exactly one of this and `oauth` is set. */
  token?: string;
  /** Access tokens from this authorization server instead (HTTP mode as an OAuth resource server). */
  oauth?: OAuthSettings;
  /** Extra `Host` values: `name` (any port) or `name:port`, lower case. */
  allowedHosts: string[];
  /** Extra `Origin` values, normalised (`scheme://host[:port]`). */
  allowedOrigins: string[];
  maxBodyBytes: number;
  shutdownGraceMs: number;
  /** Open connections at most; more are refused at once, so idle ones cannot use up descriptors. */
  maxConnections: number;
  /** A connection must send a request's headers within this, and keep-alive idles at most `idleTimeoutMs`. */
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  /** MCP sessions open at once, at most (see sessions.ts for what happens when full). */
  maxSessions: number;
  sessionIdleMs: number;
}

export interface HttpFlags {
  host?: string;
  port?: string;
}

/** How long HTTP mode serves a token listing from the backend's last reply: a client's pages arrive as separate requests. */
export const HTTP_LISTING_CACHE_MS = 3_000;

/** `serverSecret`: the server's own SolarNetwork secret, which the bearer must not be. */
export function readHttpOptions(env: NodeJS.ProcessEnv, flags: HttpFlags = {}, serverSecret?: string): HttpOptions {
  const host = readHost(flags.host);
  return {
    host,
    port: readPort(flags.port),
    ...readAuthentication(env, host, serverSecret),
    allowedHosts: readAllowedHosts(env.SN_MCP_HTTP_ALLOWED_HOSTS),
    allowedOrigins: readAllowedOrigins(env.SN_MCP_HTTP_ALLOWED_ORIGINS),
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
    maxConnections: DEFAULT_MAX_CONNECTIONS,
    headersTimeoutMs: 10_000,
    idleTimeoutMs: 5_000,
    maxSessions: DEFAULT_MAX_SESSIONS,
    sessionIdleMs: DEFAULT_SESSION_IDLE_MS,
  };
}

function readHost(value: string | undefined): string {
  if (value === undefined) return DEFAULT_HTTP_HOST;
  const host = value.trim().replace(/^\[(.*)\]$/, "$1");
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) {
    throw new ConfigError("--host", `"${value}" is not a host name or IP address; use e.g. ${DEFAULT_HTTP_HOST}`);
  }
  return host;
}

function readPort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_HTTP_PORT;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) {
    throw new ConfigError("--port", "must be a whole number from 0 to 65535 (0: any free port)");
  }
  return port;
}

/** Exactly one way in: the static bearer, or OAuth access tokens. */
function readAuthentication(env: NodeJS.ProcessEnv, host: string, serverSecret: string | undefined): Pick<HttpOptions, "token" | "oauth"> {
  const oauth = readOAuthSettings(env);
  if (oauth && env.SN_MCP_HTTP_TOKEN) {
    throw new ConfigError("SN_MCP_HTTP_TOKEN", "and SN_MCP_HTTP_OAUTH_ISSUER are both set: choose one way for HTTP clients to authenticate (unset the other)");
  }
  // The default audience is the URL the server listens at, which names no host when it listens everywhere.
  if (oauth && !oauth.audience && isWildcardHost(host)) {
    throw new ConfigError("SN_MCP_HTTP_OAUTH_AUDIENCE", `is required with --host ${host}: give the URL clients reach this server's /mcp at (e.g. https://mcp.example.com/mcp), which access tokens must carry as their audience`);
  }
  return oauth ? { oauth } : { token: readToken(env, serverSecret) };
}

function readToken(env: NodeJS.ProcessEnv, serverSecret: string | undefined): string {
  const token = env.SN_MCP_HTTP_TOKEN;
  if (!token) {
    throw new ConfigError(
      "SN_MCP_HTTP_TOKEN",
      `or SN_MCP_HTTP_OAUTH_ISSUER is required with --http: a random secret of at least ${MIN_HTTP_TOKEN_LENGTH} characters that HTTP clients send as "Authorization: Bearer <secret>" (e.g. openssl rand -hex 32), or the issuer URL of the OAuth authorization server whose access tokens clients send`,
    );
  }
  if (token.length < MIN_HTTP_TOKEN_LENGTH) {
    throw new ConfigError("SN_MCP_HTTP_TOKEN", `is too short: use at least ${MIN_HTTP_TOKEN_LENGTH} random characters (e.g. openssl rand -hex 32)`);
  }
  if (!/^[\x21-\x7e]+$/.test(token) || token.length > 1024) {
    throw new ConfigError("SN_MCP_HTTP_TOKEN", "must be printable ASCII without spaces, at most 1024 characters");
  }
  if ([serverSecret, env.SN_TOKEN_SECRET, env.SN_TOKEN_SIGNING_KEY, env.SN_TOKEN].includes(token)) {
    throw new ConfigError("SN_MCP_HTTP_TOKEN", "must be a secret of its own, not a SolarNetwork credential");
  }
  return token;
}

function readList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function readAllowedHosts(value: string | undefined): string[] {
  return readList(value).map((entry) => {
    const parsed = parseHostHeader(entry);
    if (!parsed || entry.includes("/")) {
      throw new ConfigError("SN_MCP_HTTP_ALLOWED_HOSTS", `"${entry}" is not a host name, optionally with :port (e.g. mcp.example.com or localhost:8808)`);
    }
    return entry.toLowerCase();
  });
}

function readAllowedOrigins(value: string | undefined): string[] {
  return readList(value).map((entry) => {
    const origin = normaliseOrigin(entry);
    const extra = /^[a-z]+:\/\/[^/?#]*(\/[^?#]*)?([?#].*)?$/i.exec(entry);
    if (!origin || !extra || (extra[1] ?? "/") !== "/" || extra[2] !== undefined) {
      throw new ConfigError("SN_MCP_HTTP_ALLOWED_ORIGINS", `"${entry}" is not an origin; give scheme://host[:port] only, e.g. https://app.example.com`);
    }
    return origin;
  });
}

/** `name[:port]` → its parts (name lower case, IPv6 in brackets); undefined when malformed. */
export function parseHostHeader(value: string): { name: string; port: number | undefined } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name: (match[1] as string).toLowerCase(), port };
}

/** An `Origin` value in canonical form (`http://localhost:8808`), or undefined when it is none. */
export function normaliseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password) return undefined;
  return url.origin;
}
