import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../../config-error.js";
import { readServerSettings, type ServerSettings } from "../../config.js";
import { parseSigningDate, SIGNING_KEY_VALID_DAYS, signingKeyExpiry, utcDate } from "./signing-key.js";
import { TOKEN_TYPES } from "./vocabulary.js";

/** The SolarNetwork account the server works on and its own credential, read from the environment. */

export interface SolarNetworkAccount {
  baseUrl: string;
  tokenId: string;
  /** The server's own token secret; unset when a derived signing key is configured instead. */
  tokenSecret?: string;
  /** A derived SNWS2 signing key used instead of the secret: exactly one of the two is set. */
  signingKey?: SigningKeyConfig;
}

export interface SigningKeyConfig {
  /** 64 lower-case hexadecimal characters. */
  keyHex: string;
  /** `YYYY-MM-DD`: the UTC day the key was derived for. */
  date: string;
  /** Epoch ms: the first request instant the key no longer signs (its date + 7 days, 00:00 UTC). */
  expiresAt: number;
}

/** The SolarNetwork server's whole configuration: the server settings and the account. */
export type Config = ServerSettings &
  SolarNetworkAccount & {
    /** Notes for the operator found while reading the configuration (e.g. a readable secret file). */
    notices: string[];
  };

/** `now`: epoch ms, to check a signing key's dates against. */
export function readConfig(env: NodeJS.ProcessEnv, now: number = Date.now()): Config {
  const notices: string[] = [];
  const account = readSolarNetworkAccount(env, notices, now);
  return { ...account, ...readServerSettings(env, { tokenTypes: TOKEN_TYPES }), notices };
}

const DEFAULT_URL = "https://data.solarnetwork.net";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `notices` collects notes for the operator (a readable secret file, a key about to expire); `now`: epoch ms. */
export function readSolarNetworkAccount(env: NodeJS.ProcessEnv, notices: string[], now: number): SolarNetworkAccount {
  return { baseUrl: readBaseUrl(env.SN_URL), tokenId: readTokenId(env.SN_TOKEN), ...readCredential(env, notices, now) };
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
function readCredential(env: NodeJS.ProcessEnv, notices: string[], now: number): Pick<SolarNetworkAccount, "tokenSecret" | "signingKey"> {
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
