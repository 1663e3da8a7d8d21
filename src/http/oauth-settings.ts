import { ConfigError } from "../config-error.js";
import { isLoopbackHost } from "./hosts.js";

/**
 * HTTP mode as an OAuth 2.1 resource server (MCP authorization, RFC 9728): which authorization
 * server's access tokens it accepts, for which audience, and the scopes that allow reads and writes.
 */

export const DEFAULT_READ_SCOPE = "tokens:read";
export const DEFAULT_WRITE_SCOPE = "tokens:write";

export interface OAuthSettings {
  /** The authorization server's issuer identifier, exactly as its tokens' `iss` carries it. */
  issuer: string;
  /** The `aud` access tokens must carry; undefined: this server's own `/mcp` URL. */
  audience?: string;
  /** The scope that allows read-only tools, and the one that allows the rest. */
  scopes: { read: string; write: string };
}

/** The OAuth settings, or undefined when SN_MCP_HTTP_OAUTH_ISSUER is not set. */
export function readOAuthSettings(env: NodeJS.ProcessEnv): OAuthSettings | undefined {
  if (!env.SN_MCP_HTTP_OAUTH_ISSUER) {
    for (const name of ["SN_MCP_HTTP_OAUTH_AUDIENCE", "SN_MCP_HTTP_OAUTH_READ_SCOPE", "SN_MCP_HTTP_OAUTH_WRITE_SCOPE"]) {
      if (env[name]) throw new ConfigError(name, "goes with SN_MCP_HTTP_OAUTH_ISSUER, which is not set");
    }
    return undefined;
  }
  const read = readScope(env, "SN_MCP_HTTP_OAUTH_READ_SCOPE", DEFAULT_READ_SCOPE);
  const write = readScope(env, "SN_MCP_HTTP_OAUTH_WRITE_SCOPE", DEFAULT_WRITE_SCOPE);
  if (read === write) throw new ConfigError("SN_MCP_HTTP_OAUTH_WRITE_SCOPE", `must differ from the read scope (${read}): reads and writes are told apart by scope`);
  return {
    issuer: readUrl(env, "SN_MCP_HTTP_OAUTH_ISSUER", "the authorization server's issuer URL, e.g. https://auth.example.com/"),
    audience: env.SN_MCP_HTTP_OAUTH_AUDIENCE ? readUrl(env, "SN_MCP_HTTP_OAUTH_AUDIENCE", "this server's public MCP URL, e.g. https://mcp.example.com/mcp") : undefined,
    scopes: { read, write },
  };
}

/** An https URL (http only on this machine), without query or fragment, kept as written. */
function readUrl(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name]!.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `"${value}" is not a URL; give ${what}`);
  }
  const local = url.protocol === "http:" && isLoopbackHost(url.hostname);
  if ((url.protocol !== "https:" && !local) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(name, `must be an https URL without query or fragment (http only for 127.0.0.1 or localhost); give ${what}`);
  }
  return value;
}

/** An OAuth scope token (RFC 6749 §3.3): printable ASCII without spaces, quotes or backslashes. */
function readScope(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name]?.trim() || fallback;
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(value)) {
    throw new ConfigError(name, `"${value}" is not a scope name (printable ASCII, no spaces, quotes or backslashes)`);
  }
  return value;
}
