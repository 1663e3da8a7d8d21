import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../../config-error.js";

/** The VAST backend's own settings, read from the environment. Credentials never come from flags. */

export interface VastConfig {
  /** Scheme, host and optional port, e.g. `https://vms.example.com`. */
  baseUrl: string;
  /** `latest` or `v<N>`: the `/api/<version>/` path segment. */
  apiVersion: string;
  credential: VastCredential;
  /** Sent as `X-Tenant-Name` on every request, the JWT login included, when set. */
  tenant?: string;
  tls: VastTlsConfig;
  /**
   * Owners whose tokens the server may manage. Undefined: only the credential's own user, which
   * for an API token is known only after the first request (see `VastTokenApi.whoAmI`).
   */
  allowedOwners?: string[];
  /** Notes for the operator to log at start-up (insecure TLS, a readable secret file). */
  notices: string[];
}

export type VastCredential =
  /** `Authorization: Api-Token <id>.<secret>`. */
  | { kind: "api-token"; tokenId: string; secret: string }
  /** A VMS manager's user name and password, used for JWT (or Basic) authentication. */
  | { kind: "password"; username: string; password: string };

export interface VastTlsConfig {
  /** PEM bundle of the certificate authorities to trust instead of the system's. */
  caPem?: string;
  /** Skip certificate verification (VAST_TLS_INSECURE=true). */
  insecure: boolean;
}

/** Variables that only mean something to the SolarNetwork backend. */
const SOLARNETWORK_ONLY = /^(SN_URL|SN_TOKEN.*|SN_MCP_TOKEN_TYPES|SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS)$/;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const API_TOKEN = /^[A-Za-z0-9]{8}\.[A-Za-z0-9]{8,256}$/;
const API_VERSION = /^(latest|v\d{1,3})$/;
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

export function readVastConfig(env: NodeJS.ProcessEnv): VastConfig {
  rejectSolarNetworkVariables(env);
  const notices: string[] = [];
  const tls = readTls(env, notices);
  const tenant = env.VAST_TENANT?.trim();
  if (tenant !== undefined && tenant !== "" && !PRINTABLE.test(tenant)) {
    throw new ConfigError("VAST_TENANT", "must be a tenant name or domain in printable ASCII characters");
  }
  return {
    baseUrl: readBaseUrl(env.VAST_URL),
    apiVersion: readApiVersion(env.VAST_API_VERSION),
    credential: readCredential(env, notices),
    tenant: tenant || undefined,
    tls,
    allowedOwners: readOwners(env.VAST_ALLOWED_OWNERS),
    notices,
  };
}

export function rejectSolarNetworkVariables(env: NodeJS.ProcessEnv): void {
  const found = Object.keys(env)
    .filter((name) => SOLARNETWORK_ONLY.test(name) && env[name] !== undefined && env[name] !== "")
    .sort();
  const [first] = found;
  if (first) {
    throw new ConfigError(first, `${found.join(", ")} ${found.length > 1 ? "are" : "is"} SolarNetwork settings and mean nothing to the VAST backend; unset ${found.length > 1 ? "them" : "it"}`);
  }
}

function readBaseUrl(value: string | undefined): string {
  if (!value) throw new ConfigError("VAST_URL", "is required: the VMS address, e.g. https://vms.example.com");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError("VAST_URL", "is not a URL; use e.g. https://vms.example.com or https://vms.example.com:8443");
  }
  if (url.username || url.password) throw new ConfigError("VAST_URL", "must not carry a user name or password");
  if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new ConfigError("VAST_URL", "give only scheme, host and port (the /api/<version>/ paths are added)");
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    throw new ConfigError("VAST_URL", "must use https (plain http is allowed only for a local test server)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError("VAST_URL", "must use https");
  return url.origin;
}

function readApiVersion(value: string | undefined): string {
  if (!value) return "latest";
  if (!API_VERSION.test(value)) throw new ConfigError("VAST_API_VERSION", `"${value.slice(0, 20)}" is not an API version; use latest or v<N>, e.g. v5`);
  return value;
}

/** Exactly one kind: an API token (value or file), or a user name with a password (value or file). */
function readCredential(env: NodeJS.ProcessEnv, notices: string[]): VastCredential {
  const token = readOneOf(env, "VAST_API_TOKEN", "VAST_API_TOKEN_FILE", notices);
  const password = readOneOf(env, "VAST_PASSWORD", "VAST_PASSWORD_FILE", notices);
  const username = env.VAST_USERNAME;
  if (token && (username || password)) {
    throw new ConfigError(token.variable, `set either ${token.variable} or VAST_USERNAME with a password, not both`);
  }
  if (token) {
    // Never echo the value: a ConfigError's message is printed.
    if (!API_TOKEN.test(token.value)) {
      throw new ConfigError(token.variable, "must be a VMS API token, ID.SECRET: 8 letters or digits, a dot, then the secret");
    }
    const [tokenId, secret] = token.value.split(".") as [string, string];
    return { kind: "api-token", tokenId, secret };
  }
  if (!username && !password) {
    throw new ConfigError("VAST_API_TOKEN", "is required (or VAST_API_TOKEN_FILE, or VAST_USERNAME with VAST_PASSWORD or VAST_PASSWORD_FILE)");
  }
  if (!username) throw new ConfigError("VAST_USERNAME", `is required with ${password?.variable}: the VMS manager's user name`);
  if (!PRINTABLE.test(username) || username.includes(":")) {
    throw new ConfigError("VAST_USERNAME", "must be a VMS user name: printable characters, no colon");
  }
  if (!password) throw new ConfigError("VAST_PASSWORD", "is required with VAST_USERNAME (or VAST_PASSWORD_FILE, a file holding it)");
  return { kind: "password", username, password: password.value };
}

function readOneOf(
  env: NodeJS.ProcessEnv,
  valueVariable: string,
  fileVariable: string,
  notices: string[],
): { variable: string; value: string } | undefined {
  const value = env[valueVariable];
  const path = env[fileVariable];
  if (value && path) throw new ConfigError(fileVariable, `set either ${valueVariable} or ${fileVariable}, not both`);
  if (value) return { variable: valueVariable, value: value.trim() };
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
    if (process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0) {
      notices.push(`${fileVariable}: ${path} is readable by other users; chmod 600 it.`);
    }
  } catch {
    throw new ConfigError(fileVariable, `cannot read ${path}`);
  }
  if (!text) throw new ConfigError(fileVariable, `${path} is empty`);
  return { variable: fileVariable, value: text };
}

function readTls(env: NodeJS.ProcessEnv, notices: string[]): VastTlsConfig {
  const insecure = readBoolean(env, "VAST_TLS_INSECURE");
  const path = env.VAST_CA_FILE;
  if (insecure && path) throw new ConfigError("VAST_TLS_INSECURE", "set either VAST_CA_FILE (verify against it) or VAST_TLS_INSECURE=true (verify nothing), not both");
  if (insecure) {
    notices.push("VAST_TLS_INSECURE=true: the VMS certificate is not verified; anyone on the network path can impersonate VMS and read its credentials.");
    return { insecure };
  }
  if (!path) return { insecure };
  let caPem: string;
  try {
    caPem = readFileSync(path, "utf8");
  } catch {
    throw new ConfigError("VAST_CA_FILE", `cannot read ${path}`);
  }
  if (!PEM_CERTIFICATE.test(caPem)) throw new ConfigError("VAST_CA_FILE", `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return { caPem, insecure };
}

export function readOwners(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const owners = value.split(",").map((owner) => owner.trim());
  if (owners.some((owner) => !PRINTABLE.test(owner))) {
    throw new ConfigError("VAST_ALLOWED_OWNERS", "must be a comma-separated list of VMS user names, none empty");
  }
  return [...new Set(owners)];
}

function readBoolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.toLowerCase();
  if (!value || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw new ConfigError(name, "must be true or false");
}
