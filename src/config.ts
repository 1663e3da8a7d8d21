import { join } from "node:path";
import { ConfigError } from "./config-error.js";
import { ExpiryError, parseExpiresIn } from "./core/expires-in.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import { userStateDir } from "./paths.js";
import type { Guardrails } from "./safety/guardrails.js";
import type { SecretDeliveryMode } from "./safety/secret-delivery.js";
import { checkPrivatePath } from "./safety/private-path.js";

/** The `SN_MCP_*` settings, read from the environment: the same for every backend. Credentials never come from flags. */
export interface ServerSettings {
  secretDelivery: SecretDeliveryMode;
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
}

export { ConfigError };

/** What a backend lets the settings name: its token types, when SN_MCP_TOKEN_TYPES means anything to it. */
export interface SettingsVocabulary {
  tokenTypes?: readonly string[];
}

export function readServerSettings(env: NodeJS.ProcessEnv, vocabulary: SettingsVocabulary = {}): ServerSettings {
  const settings: ServerSettings = {
    secretDelivery: readChoice<SecretDeliveryMode>(env, "SN_MCP_SECRET_DELIVERY", ["inline", "file", "url", "auto"], "inline"),
    secretDir: env.SN_MCP_SECRET_DIR || join(userStateDir(env), "secrets"),
    timeoutMs: readInteger(env, "SN_MCP_TIMEOUT_MS", 15_000, 100, 300_000),
    readOnly: readBoolean(env, "SN_MCP_READ_ONLY"),
    tools: readList(env.SN_MCP_TOOLS),
    excludeTools: readList(env.SN_MCP_EXCLUDE_TOOLS) ?? [],
    logLevel: readChoice(env, "SN_MCP_LOG_LEVEL", LOG_LEVELS, "info"),
    guardrails: readGuardrails(env, vocabulary),
    auditLog: env.SN_MCP_AUDIT_LOG || undefined,
    rateLimits: {
      reads: readInteger(env, "SN_MCP_RATE_LIMIT_READS", 120, 0, 100_000),
      writes: readInteger(env, "SN_MCP_RATE_LIMIT_WRITES", 20, 0, 100_000),
    },
  };
  if (settings.auditLog) checkPrivatePath("SN_MCP_AUDIT_LOG", settings.auditLog, "file");
  if (settings.secretDelivery === "file") checkPrivatePath("SN_MCP_SECRET_DIR", settings.secretDir, "directory");
  return settings;
}

function readGuardrails(env: NodeJS.ProcessEnv, { tokenTypes = [] }: SettingsVocabulary): Guardrails {
  const types = readList(env.SN_MCP_TOKEN_TYPES);
  const unknownType = types?.find((type) => !tokenTypes.includes(type));
  if (unknownType) throw new ConfigError("SN_MCP_TOKEN_TYPES", `unknown token type ${unknownType}; use ${tokenTypes.join(", ")}`);
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
    allowedTokenTypes: types,
    withoutElicitation: readChoice(env, "SN_MCP_WITHOUT_ELICITATION", ["proceed", "refuse"] as const, "proceed"),
  };
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
