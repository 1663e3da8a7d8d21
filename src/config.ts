import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./config-error.js";
import { userStateDir } from "./paths.js";
import { checkPrivatePath } from "./safety/private-path.js";
import { parseSigningDate, SIGNING_KEY_VALID_DAYS, signingKeyExpiry, utcDate } from "./solarnetwork/signing-key.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import type { Guardrails } from "./safety/guardrails.js";
import { ExpiryError, parseExpiresIn } from "./tokens/expiry.js";
import { TOKEN_TYPES } from "./tokens/model.js";

/** The server's configuration, read from the environment. Credentials never come from flags. */

export interface Config {
  baseUrl: string;
  tokenId: string;
  /** The server's own token secret; unset when a derived signing key is configured instead. */
  tokenSecret?: string;
  /** A derived SNWS2 signing key used instead of the secret: exactly one of the two is set. */
  signingKey?: SigningKeyConfig;
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

export interface SigningKeyConfig {
  /** 64 lower-case hexadecimal characters. */
  keyHex: string;
  /** `YYYY-MM-DD`: the UTC day the key was derived for. */
  date: string;
  /** Epoch ms: the first request instant the key no longer signs (its date + 7 days, 00:00 UTC). */
  expiresAt: number;
}

export { ConfigError };

const DEFAULT_URL = "https://data.solarnetwork.net";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `now`: epoch ms, to check a signing key's dates against. */
export function readConfig(env: NodeJS.ProcessEnv, now: number = Date.now()): Config {
  const notices: string[] = [];
  const config: Config = {
    baseUrl: readBaseUrl(env.SN_URL),
    tokenId: readTokenId(env.SN_TOKEN),
    ...readCredential(env, notices, now),
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
  if (config.auditLog) checkPrivatePath("SN_MCP_AUDIT_LOG", config.auditLog, "file");
  if (config.secretDelivery === "file") checkPrivatePath("SN_MCP_SECRET_DIR", config.secretDir, "directory");
  return config;
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

/** Exactly one of: SN_TOKEN_SECRET, SN_TOKEN_SECRET_FILE, SN_TOKEN_SIGNING_KEY with SN_TOKEN_SIGNING_DATE. */
function readCredential(env: NodeJS.ProcessEnv, notices: string[], now: number): Pick<Config, "tokenSecret" | "signingKey"> {
  const secretVariable = env.SN_TOKEN_SECRET ? "SN_TOKEN_SECRET" : env.SN_TOKEN_SECRET_FILE ? "SN_TOKEN_SECRET_FILE" : undefined;
  if (env.SN_TOKEN_SIGNING_KEY && secretVariable) {
    throw new ConfigError("SN_TOKEN_SIGNING_KEY", `set either ${secretVariable} or SN_TOKEN_SIGNING_KEY (with SN_TOKEN_SIGNING_DATE), not both`);
  }
  if (env.SN_TOKEN_SIGNING_DATE && !env.SN_TOKEN_SIGNING_KEY) {
    if (secretVariable) throw new ConfigError("SN_TOKEN_SIGNING_DATE", `goes only with SN_TOKEN_SIGNING_KEY; unset it when using ${secretVariable}`);
    throw new ConfigError("SN_TOKEN_SIGNING_KEY", "is required with SN_TOKEN_SIGNING_DATE: the SNWS2 signing key derived for that date (64 hexadecimal characters)");
  }
  if (!env.SN_TOKEN_SIGNING_KEY) return { tokenSecret: readSecret(env, notices) };
  return { signingKey: readSigningKey(env.SN_TOKEN_SIGNING_KEY, env.SN_TOKEN_SIGNING_DATE, notices, now) };
}

/** Warn at start-up when the signing key expires within this. */
const SIGNING_KEY_WARNING_MS = 24 * 3_600_000;

function readSigningKey(key: string, date: string | undefined, notices: string[], now: number): SigningKeyConfig {
  // Never echo the key: a ConfigError's message is printed.
  const keyHex = key.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(keyHex)) {
    throw new ConfigError("SN_TOKEN_SIGNING_KEY", "must be an SNWS2 signing key: 64 hexadecimal characters");
  }
  if (!date) {
    throw new ConfigError("SN_TOKEN_SIGNING_DATE", "is required with SN_TOKEN_SIGNING_KEY: the UTC date the key was derived for, as YYYY-MM-DD");
  }
  const day = date.trim();
  if (parseSigningDate(day) === undefined) {
    throw new ConfigError("SN_TOKEN_SIGNING_DATE", "must be the UTC date the key was derived for, as YYYY-MM-DD (e.g. 2026-03-31)");
  }
  const today = utcDate(now);
  if (day > today) {
    throw new ConfigError("SN_TOKEN_SIGNING_DATE", `${day} is later than today's UTC date (${today}); give the UTC date the key was derived for`);
  }
  const expiresAt = signingKeyExpiry(day);
  const expiry = new Date(expiresAt).toISOString();
  if (now >= expiresAt) {
    throw new ConfigError(
      "SN_TOKEN_SIGNING_DATE",
      `the signing key derived for ${day} expired at ${expiry} (a key signs for ${SIGNING_KEY_VALID_DAYS} days from its date); derive a new one for today (${today}) and set SN_TOKEN_SIGNING_KEY and SN_TOKEN_SIGNING_DATE`,
    );
  }
  if (expiresAt - now <= SIGNING_KEY_WARNING_MS) {
    const minutes = Math.floor((expiresAt - now) / 60_000);
    notices.push(
      `SN_TOKEN_SIGNING_KEY expires at ${expiry} (in ${Math.floor(minutes / 60)} h ${minutes % 60} min): derive a new one for today's UTC date before then. ` +
        "While it runs, the server renews it through SolarNetwork once a day unless the token's policy sets refreshAllowed: false.",
    );
  }
  return { keyHex, date: day, expiresAt };
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
    throw new ConfigError("SN_TOKEN_SECRET", "is required (or SN_TOKEN_SECRET_FILE, a file holding the secret, or SN_TOKEN_SIGNING_KEY with SN_TOKEN_SIGNING_DATE, a derived signing key)");
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
