import { chmodSync, existsSync, statSync } from "node:fs";
import { readOwners, rejectSolarNetworkVariables, type VastConfig } from "./config.js";
import { ConfigError, readServerSettings, type ServerSettings } from "../../config.js";
import type { SandboxStart } from "../plugin.js";
import { loadVmsState, type VmsState } from "../../simulators/vast/state.js";
import { startVmsSimulator, type VmsSimulator } from "../../simulators/vast/server.js";

/**
 * VAST's sandbox (`sn-tokens-mcp vast sandbox`, run by src/sandbox/run.ts): the embedded VMS
 * simulator over the state file (users, tokens, settings); the server's own credential is an API
 * token of the simulator's `admin`, seeded into that file the first time and reused after.
 */

/** Names the seeded token the sandbox server authenticates with (VMS names are at most 50 characters). */
export const VAST_SANDBOX_ADMIN_NAME = "sn-tokens-mcp sandbox (server's own)";
const VAST_SANDBOX_ADMIN_USER = "admin";

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

/** Starts the VMS simulator on 127.0.0.1 (a free port) over the state file, seeding the server's credential when it has none. */
export async function startVastSandbox({ env, file, clock }: { env: NodeJS.ProcessEnv; file: string; clock: () => number }): Promise<SandboxStart<VastConfig & ServerSettings>> {
  rejectSolarNetworkVariables(env);
  const settings = readServerSettings(env);
  const allowedOwners = readOwners(env.VAST_ALLOWED_OWNERS);
  const admin = findAdmin(readState(file), clock());
  const simulator = await startVmsSimulator({ host: "127.0.0.1", port: 0, file, now: clock, recordRequests: false });
  try {
    const credential = admin ?? seedAdmin(simulator, file);
    const config: VastConfig & ServerSettings = {
      ...settings,
      baseUrl: simulator.url,
      apiVersion: "latest",
      credential: { kind: "api-token", tokenId: credential.id, secret: credential.secret },
      tls: { insecure: false },
      allowedOwners,
      notices: [],
    };
    const ignored = CLUSTER_VARIABLES.filter((name) => env[name]);
    return {
      config,
      simulator,
      adminTokenId: credential.id,
      notes: [
        ...(ignored.length > 0 ? [{ level: "warn" as const, message: "sandbox mode ignores the VAST cluster settings", fields: { ignored } }] : []),
        { level: "info", message: "sandbox: a local VMS simulator, no VAST cluster", fields: { url: simulator.url, file, seeded: admin === undefined } },
      ],
    };
  } catch (error) {
    await simulator.close();
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
