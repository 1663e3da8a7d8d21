import { chmodSync, existsSync, statSync } from "node:fs";
import { vastBackend } from "./backend.js";
import { readOwners, rejectSolarNetworkVariables, type VastConfig } from "./config.js";
import { composeServer, type App, type Overrides } from "../../compose.js";
import { ConfigError, readServerSettings } from "../../config.js";
import { loadVmsState, type VmsState } from "../../simulators/vast/state.js";
import { startVmsSimulator, type VmsSimulator } from "../../simulators/vast/server.js";
import { lockSandboxFile } from "../../sandbox/lock.js";
import { sandboxFile, withSimulator } from "../../sandbox/simulated.js";

/**
 * VAST sandbox mode (`sn-tokens-mcp vast sandbox`): the server wired to the embedded VMS simulator
 * on 127.0.0.1, no cluster needed. Its state (users, tokens, settings) is kept in a JSON file (mode
 * 0600); the server's own credential is an API token of the simulator's `admin`, seeded into that
 * file the first time and reused after. Every tool and result is labelled as a sandbox.
 */

/** Names the seeded token the sandbox server authenticates with (VMS names are at most 50 characters). */
export const VAST_SANDBOX_ADMIN_NAME = "sn-tokens-mcp sandbox (server's own)";
const VAST_SANDBOX_ADMIN_USER = "admin";
export const DEFAULT_VAST_SANDBOX_FILE_NAME = "vast-sandbox.json";

/** Variables that name a real cluster and credential: sandbox mode ignores them. */
const CLUSTER_VARIABLES = [
  "VAST_URL",
  "VAST_API_TOKEN",
  "VAST_API_TOKEN_FILE",
  "VAST_USERNAME",
  "VAST_PASSWORD",
  "VAST_PASSWORD_FILE",
  "VAST_TENANT",
  "VAST_API_VERSION",
  "VAST_CA_FILE",
  "VAST_TLS_INSECURE",
] as const;

export interface VastSandboxOptions {
  env: NodeJS.ProcessEnv;
  /** The state file; default `SN_MCP_SANDBOX_FILE`, else `vast-sandbox.json` in the per-user state directory. */
  file?: string;
  overrides?: Omit<Overrides, "sandbox">;
}

export interface VastSandbox {
  app: App;
  /** The simulator's base URL. */
  url: string;
  file: string;
  /** The ID of the server's own (seeded) token; its secret stays in the file. */
  adminTokenId: string;
  simulator: VmsSimulator;
}

export async function runVastSandbox(options: VastSandboxOptions): Promise<VastSandbox> {
  rejectSolarNetworkVariables(options.env);
  const settings = readServerSettings(options.env);
  const allowedOwners = readOwners(options.env.VAST_ALLOWED_OWNERS);
  const file = sandboxFile(options.env, DEFAULT_VAST_SANDBOX_FILE_NAME, options.file);
  const release = lockSandboxFile(file);
  let simulator: VmsSimulator | undefined;
  try {
    const now = options.overrides?.clock ?? Date.now;
    const admin = findAdmin(readState(file), now());
    simulator = await startVmsSimulator({ host: "127.0.0.1", port: 0, file, now, recordRequests: false });
    const credential = admin ?? seedAdmin(simulator, file);
    const config: VastConfig = {
      baseUrl: simulator.url,
      apiVersion: "latest",
      credential: { kind: "api-token", tokenId: credential.id, secret: credential.secret },
      tls: { insecure: false },
      allowedOwners,
      notices: [],
    };
    const app = composeServer(settings, (deps) => vastBackend(config, deps), { ...options.overrides, sandbox: true });
    const ignored = CLUSTER_VARIABLES.filter((name) => options.env[name]);
    if (ignored.length > 0) app.log.warn("sandbox mode ignores the VAST cluster settings", { ignored });
    app.log.info("sandbox: a local VMS simulator, no VAST cluster", { url: simulator.url, file, seeded: admin === undefined });
    return { app: withSimulator(app, simulator, release), url: simulator.url, file, adminTokenId: credential.id, simulator };
  } catch (error) {
    await simulator?.close();
    release();
    throw error;
  }
}

function readState(file: string): VmsState | undefined {
  if (existsSync(file) && !statSync(file).isFile()) throw new ConfigError("SN_MCP_SANDBOX_FILE", `${file} is not a file`);
  const notOurs = () =>
    new ConfigError("SN_MCP_SANDBOX_FILE", `${file} is not a VMS sandbox state file. Move it away (a new one is created) or point SN_MCP_SANDBOX_FILE elsewhere.`);
  let state: VmsState | undefined;
  try {
    state = loadVmsState(file);
  } catch {
    throw notOurs();
  }
  if (state === undefined) return undefined;
  // The sandbox signs in as the simulator's admin: a state without that user could never seed a credential.
  if (!state.users.some((user) => user.username === VAST_SANDBOX_ADMIN_USER)) throw notOurs();
  // It holds the sandbox tokens' secrets in the clear: tighten a file someone loosened (saves write 0600).
  if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return state;
}

/** The seeded credential: a valid token of the simulator's admin with the sandbox's name. */
function findAdmin(state: VmsState | undefined, now: number): { id: string; secret: string } | undefined {
  const admin = state?.tokens
    .filter(
      (token) =>
        token.name === VAST_SANDBOX_ADMIN_NAME &&
        token.owner === VAST_SANDBOX_ADMIN_USER &&
        !token.revoked &&
        (token.expiry === null || token.expiry > now),
    )
    .sort((a, b) => a.created - b.created)[0];
  return admin ? { id: admin.id, secret: admin.secret } : undefined;
}

function seedAdmin(simulator: VmsSimulator, file: string): { id: string; secret: string } {
  try {
    // Never expires: the sandbox's own credential should not lock it out after 180 days.
    const { id, token } = simulator.seedToken({ owner: VAST_SANDBOX_ADMIN_USER, name: VAST_SANDBOX_ADMIN_NAME, expiry: null });
    return { id, secret: token.slice(token.indexOf(".") + 1) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") throw error;
    throw new ConfigError("SN_MCP_SANDBOX_FILE", `cannot write ${file} (${code}); point SN_MCP_SANDBOX_FILE elsewhere`);
  }
}
