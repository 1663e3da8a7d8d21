import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { userStateDir } from "./paths.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import type { Guardrails } from "./safety/guardrails.js";
import { ExpiryError, parseExpiresIn } from "./tokens/expiry.js";
import { TOKEN_TYPES } from "./tokens/model.js";

/** The server's configuration, read from the environment. Credentials never come from flags. */

export interface Config {
  baseUrl: string;
  tokenId: string;
  tokenSecret: string;
  secretDelivery: "inline" | "file";
  secretDir: string;
  timeoutMs: number;
  readOnly: boolean;
  /** Allow list of tool names, or undefined for all. */
  tools?: string[];
  excludeTools: string[];
  logLevel: LogLevel;
  guardrails: Guardrails;
  /** Append-only JSON-lines journal of mutating calls, when set. */
  auditLog?: string;
  /** Tool calls a minute (bursts up to the same number); 0 turns the limit off. */
  rateLimits: { reads: number; writes: number };
  /** Notes for the operator found while reading the configuration (e.g. a readable secret file). */
  notices: string[];
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

const DEFAULT_URL = "https://data.solarnetwork.net";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function readConfig(env: NodeJS.ProcessEnv): Config {
  const notices: string[] = [];
  return {
    baseUrl: readBaseUrl(env.SN_URL),
    tokenId: readTokenId(env.SN_TOKEN),
    tokenSecret: readSecret(env, notices),
    secretDelivery: readChoice(env, "SN_MCP_SECRET_DELIVERY", ["inline", "file"] as const, "inline"),
    secretDir: env.SN_MCP_SECRET_DIR || join(userStateDir(env), "secrets"),
    timeoutMs: readInteger(env, "SN_MCP_TIMEOUT_MS", 15_000, 100, 300_000),
    readOnly: readBoolean(env, "SN_MCP_READ_ONLY"),
    tools: readList(env.SN_MCP_TOOLS),
    excludeTools: readList(env.SN_MCP_EXCLUDE_TOOLS) ?? [],
    logLevel: readChoice(env, "SN_MCP_LOG_LEVEL", LOG_LEVELS, "info"),
    guardrails: readGuardrails(env),
    auditLog: env.SN_MCP_AUDIT_LOG || undefined,
    rateLimits: {
      reads: readInteger(env, "SN_MCP_RATE_LIMIT_READS", 120, 0, 100_000),
      writes: readInteger(env, "SN_MCP_RATE_LIMIT_WRITES", 20, 0, 100_000),
    },
    notices,
  };
}

function readGuardrails(env: NodeJS.ProcessEnv): Guardrails {
  const types = readList(env.SN_MCP_TOKEN_TYPES);
  const unknownType = types?.find((type) => !(TOKEN_TYPES as readonly string[]).includes(type));
  if (unknownType) throw new ConfigError("SN_MCP_TOKEN_TYPES", `unknown token type ${unknownType}; use ${TOKEN_TYPES.join(", ")}`);
  let maxLifetimeMs: number | undefined;
  if (env.SN_MCP_MAX_LIFETIME) {
    try {
      maxLifetimeMs = parseExpiresIn(env.SN_MCP_MAX_LIFETIME);
    } catch (error) {
      if (!(error instanceof ExpiryError)) throw error;
      throw new ConfigError("SN_MCP_MAX_LIFETIME", "must be a whole number and a unit, e.g. 90D (Y, M, W, D, h, m, s)");
    }
  }
  return {
    maxLifetimeMs,
    maxActiveTokens: env.SN_MCP_MAX_ACTIVE_TOKENS ? readInteger(env, "SN_MCP_MAX_ACTIVE_TOKENS", 0, 1, 100_000) : undefined,
    allowUnrestrictedUserTokens: env.SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS
      ? readBoolean(env, "SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS")
      : true,
    allowedTokenTypes: types as Guardrails["allowedTokenTypes"],
    withoutElicitation: readChoice(env, "SN_MCP_WITHOUT_ELICITATION", ["proceed", "refuse"] as const, "proceed"),
  };
}

function readBaseUrl(value: string | undefined): string {
  if (!value) return DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError("SN_URL", `"${value}" is not a URL; use e.g. ${DEFAULT_URL}`);
  }
  if (url.username || url.password) throw new ConfigError("SN_URL", "must not carry a user name or password");
  if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new ConfigError("SN_URL", "give only scheme, host and port (the /solaruser/... paths are added)");
  }
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ConfigError("SN_URL", "must use https (plain http is allowed only for a local test server)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError("SN_URL", "must use https");
  return url.origin;
}

function readTokenId(value: string | undefined): string {
  if (!value) throw new ConfigError("SN_TOKEN", "is required: the ID of an unrestricted SolarNetwork User token");
  if (!/^[\x21-\x7e]{1,64}$/.test(value)) {
    throw new ConfigError("SN_TOKEN", "is not a SolarNetwork token ID (printable characters, no spaces)");
  }
  return value;
}

function readSecret(env: NodeJS.ProcessEnv, notices: string[]): string {
  if (env.SN_TOKEN_SECRET && env.SN_TOKEN_SECRET_FILE) {
    throw new ConfigError("SN_TOKEN_SECRET_FILE", "set either SN_TOKEN_SECRET or SN_TOKEN_SECRET_FILE, not both");
  }
  if (env.SN_TOKEN_SECRET_FILE) {
    const path = env.SN_TOKEN_SECRET_FILE;
    let secret: string;
    try {
      secret = readFileSync(path, "utf8").trim();
      if (process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0) {
        notices.push(`SN_TOKEN_SECRET_FILE: ${path} is readable by other users; chmod 600 it.`);
      }
    } catch {
      throw new ConfigError("SN_TOKEN_SECRET_FILE", `cannot read ${path}`);
    }
    if (!secret) throw new ConfigError("SN_TOKEN_SECRET_FILE", `${path} is empty`);
    return secret;
  }
  if (!env.SN_TOKEN_SECRET) {
    throw new ConfigError("SN_TOKEN_SECRET", "is required (or SN_TOKEN_SECRET_FILE, a file holding the secret)");
  }
  return env.SN_TOKEN_SECRET;
}

function readChoice<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[], fallback: T): T {
  const value = env[name];
  if (!value) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(name, `"${value}" is not one of ${choices.join(", ")}`);
  }
  return value as T;
}

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (!value) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  }
  return number;
}

function readBoolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.toLowerCase();
  if (!value || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw new ConfigError(name, "must be true or false");
}

function readList(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}
