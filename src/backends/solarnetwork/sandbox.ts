import { chmodSync, existsSync, statSync } from "node:fs";
import { ConfigError, readServerSettings } from "../../config.js";
import type { SandboxStart } from "../plugin.js";
import { startLocalSolarUser, type LocalSolarUser } from "../../simulators/solarnetwork/solaruser.js";
import { isRestricted } from "./model.js";
import { isExpired } from "../../simulators/solarnetwork/policy.js";
import { jsonFileTokenStore, type TokenStore } from "../../simulators/solarnetwork/store.js";
import type { Config } from "./config.js";
import { TOKEN_TYPES } from "./vocabulary.js";

/**
 * SolarNetwork's sandbox (`sn-tokens-mcp sandbox`, run by src/sandbox/run.ts): the embedded local
 * SolarUser over the token file; the server's own credential is an unrestricted User token seeded
 * into that file the first time and reused after.
 */

/** The name that marks the seeded token the sandbox server signs its requests with. */
export const SANDBOX_ADMIN_NAME = "sn-tokens-mcp sandbox (the server's own token)";
const SANDBOX_ADMIN_DESCRIPTION = "Sandbox mode's own credential: deleting or disabling it stops the sandbox until it restarts.";
/** The user all sandbox tokens belong to. */
const SANDBOX_USER_ID = 123;

/** Variables that name a SolarNetwork account and credential: sandbox mode ignores them. */
const ACCOUNT_VARIABLES = [
  "SN_URL",
  "SN_TOKEN",
  "SN_TOKEN_SECRET",
  "SN_TOKEN_SECRET_FILE",
  "SN_TOKEN_SIGNING_KEY",
  "SN_TOKEN_SIGNING_DATE",
] as const;

/** Starts the local SolarUser on 127.0.0.1 (a free port) over the token file, seeding the server's credential when the file has none. */
export async function startSandbox({ env, file, clock }: { env: NodeJS.ProcessEnv; file: string; clock: () => number }): Promise<SandboxStart<Config>> {
  const store = openStore(file);
  const admin = findAdmin(store, clock());
  const solarUser = await startLocalSolarUser({ host: "127.0.0.1", port: 0, store, now: clock, recordRequests: false });
  try {
    const credential = admin ?? seedAdmin(solarUser, file);
    const settings = readServerSettings(env, { tokenTypes: TOKEN_TYPES });
    const config = { ...settings, baseUrl: solarUser.url, tokenId: credential.id, tokenSecret: credential.secret, notices: [] };
    const ignored = ACCOUNT_VARIABLES.filter((name) => env[name]);
    return {
      config,
      simulator: solarUser,
      adminTokenId: credential.id,
      notes: [
        ...(ignored.length > 0 ? [{ level: "warn" as const, message: "sandbox mode ignores the SolarNetwork account settings", fields: { ignored } }] : []),
        { level: "info", message: "sandbox: a local SolarUser simulator, no SolarNetwork account", fields: { url: solarUser.url, file, seeded: admin === undefined } },
      ],
    };
  } catch (error) {
    await solarUser.close();
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
