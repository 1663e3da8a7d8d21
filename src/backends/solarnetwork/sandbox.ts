import { chmodSync, existsSync, statSync } from "node:fs";
import { composeServer, type App, type Overrides } from "../../compose.js";
import { ConfigError, readServerSettings } from "../../config.js";
import { startLocalSolarUser, type LocalSolarUser } from "../../simulators/solarnetwork/solaruser.js";
import { isRestricted } from "./model.js";
import { isExpired } from "../../simulators/solarnetwork/policy.js";
import { lockSandboxFile } from "../../sandbox/lock.js";
import { sandboxFile, withSimulator } from "../../sandbox/simulated.js";
import { jsonFileTokenStore, type TokenStore } from "../../simulators/solarnetwork/store.js";
import { solarNetworkBackend } from "./backend.js";
import { TOKEN_TYPES } from "./vocabulary.js";

/**
 * Sandbox mode (`sn-tokens-mcp sandbox`): the server wired to the embedded local SolarUser on
 * 127.0.0.1, no SolarNetwork account needed. Tokens are kept in a JSON file (mode 0600), so they
 * survive restarts; the server's own credential is an unrestricted User token seeded into that
 * file the first time and reused after. Every tool and result is labelled as a sandbox.
 */

/** The name that marks the seeded token the sandbox server signs its requests with. */
export const SANDBOX_ADMIN_NAME = "sn-tokens-mcp sandbox (the server's own token)";
const SANDBOX_ADMIN_DESCRIPTION = "Sandbox mode's own credential: deleting or disabling it stops the sandbox until it restarts.";
/** The user all sandbox tokens belong to. */
const SANDBOX_USER_ID = 123;
/** The file name in the per-user state directory when SN_MCP_SANDBOX_FILE is not set. */
export const DEFAULT_SANDBOX_FILE_NAME = "sandbox-tokens.json";

/** Variables that name a SolarNetwork account and credential: sandbox mode ignores them. */
const ACCOUNT_VARIABLES = [
  "SN_URL",
  "SN_TOKEN",
  "SN_TOKEN_SECRET",
  "SN_TOKEN_SECRET_FILE",
  "SN_TOKEN_SIGNING_KEY",
  "SN_TOKEN_SIGNING_DATE",
] as const;

export interface SandboxOptions {
  /** The environment, read as in normal mode (secret delivery, read-only, tools, guardrails, logging). */
  env: NodeJS.ProcessEnv;
  /** The token file; default `SN_MCP_SANDBOX_FILE`, else `sandbox-tokens.json` in the per-user state directory. */
  file?: string;
  /** Passed to `composeServer` (a clock, where log lines go); `sandbox` is always on. */
  overrides?: Omit<Overrides, "sandbox">;
}

export interface Sandbox {
  /**
   * The composed server: connect it with `app.server.connectStdio()` (or serve it over HTTP).
   * `app.close()` closes the MCP server and the SolarNetwork client, then stops the local SolarUser.
   */
  app: App;
  /** The local SolarUser's base URL, e.g. `http://127.0.0.1:43123`. */
  url: string;
  /** The absolute path of the token file. */
  file: string;
  /** The ID of the server's own (seeded) token; its secret stays in the file. */
  adminTokenId: string;
}

/**
 * Starts the local SolarUser on 127.0.0.1 (a free port) over the token file, seeds the server's
 * credential when the file has none, and composes the app against it. Throws a `ConfigError`
 * (naming the variable) for a bad configuration or an unreadable token file, having started nothing
 * that is left running.
 */
export async function runSandbox(options: SandboxOptions): Promise<Sandbox> {
  const file = sandboxFile(options.env, DEFAULT_SANDBOX_FILE_NAME, options.file);
  const release = lockSandboxFile(file);
  let solarUser: LocalSolarUser | undefined;
  try {
    const store = openStore(file);
    const admin = findAdmin(store, (options.overrides?.clock ?? Date.now)());
    solarUser = await startLocalSolarUser({ host: "127.0.0.1", port: 0, store, now: options.overrides?.clock, recordRequests: false });
    const credential = admin ?? seedAdmin(solarUser, file);
    const settings = readServerSettings(options.env, { tokenTypes: TOKEN_TYPES });
    const config = { ...settings, baseUrl: solarUser.url, tokenId: credential.id, tokenSecret: credential.secret };
    const app = composeServer(config, (deps) => solarNetworkBackend(config, deps), { ...options.overrides, sandbox: true });
    const ignored = ACCOUNT_VARIABLES.filter((name) => options.env[name]);
    if (ignored.length > 0) app.log.warn("sandbox mode ignores the SolarNetwork account settings", { ignored });
    app.log.info("sandbox: a local SolarUser simulator, no SolarNetwork account", {
      url: solarUser.url,
      file,
      seeded: admin === undefined,
    });
    return { app: withSimulator(app, solarUser, release), url: solarUser.url, file, adminTokenId: credential.id };
  } catch (error) {
    await solarUser?.close();
    release();
    throw error;
  }
}

function seedAdmin(solarUser: LocalSolarUser, file: string): { id: string; secret: string } {
  try {
    return solarUser.seedToken({ type: "User", userId: SANDBOX_USER_ID, name: SANDBOX_ADMIN_NAME, description: SANDBOX_ADMIN_DESCRIPTION });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") throw error;
    throw new ConfigError("SN_MCP_SANDBOX_FILE", `cannot write ${file} (${code}); point SN_MCP_SANDBOX_FILE elsewhere`);
  }
}

function openStore(file: string): TokenStore {
  if (existsSync(file) && !statSync(file).isFile()) {
    throw new ConfigError("SN_MCP_SANDBOX_FILE", `${file} is not a file`);
  }
  let store: TokenStore;
  try {
    store = jsonFileTokenStore(file);
  } catch (error) {
    throw new ConfigError(
      "SN_MCP_SANDBOX_FILE",
      `${error instanceof Error ? error.message : `cannot read ${file}`} Move it away (a new one is created) or point SN_MCP_SANDBOX_FILE elsewhere.`,
    );
  }
  // It holds secrets in the clear: tighten a file someone loosened (new files are written 0600).
  if (existsSync(file) && process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return store;
}

/** The seeded credential: an active, unexpired, unrestricted User token with the sandbox's name. */
function findAdmin(store: TokenStore, now: number): { id: string; secret: string } | undefined {
  const admin = store
    .all()
    .filter(
      (token) =>
        token.name === SANDBOX_ADMIN_NAME &&
        token.type === "User" &&
        token.status === "Active" &&
        !isRestricted(token.policy) &&
        !isExpired(token.policy, now),
    )
    .sort((a, b) => a.created - b.created)[0];
  return admin ? { id: admin.id, secret: admin.secret } : undefined;
}
