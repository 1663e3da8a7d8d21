import { join, resolve } from "node:path";
import type { BackendPlugin } from "../backends/plugin.js";
import { composeServer, type App, type Overrides } from "../compose.js";
import { userStateDir } from "../paths.js";
import { lockSandboxFile } from "./lock.js";

/**
 * Sandbox mode (`sn-tokens-mcp [command] sandbox`): a backend served against its embedded simulator
 * on 127.0.0.1, no account or cluster needed. Its state is kept in a JSON file (mode 0600, locked by
 * one process at a time), so tokens survive restarts; the server's own credential is seeded into
 * that file the first time and reused after. Every tool and result is labelled as a sandbox.
 */

export interface SandboxOptions {
  /** The environment, read as in normal mode (secret delivery, read-only, tools, guardrails, logging). */
  env: NodeJS.ProcessEnv;
  /** The state file; default `SN_MCP_SANDBOX_FILE`, else the backend's file name in the per-user state directory. */
  file?: string;
  /** Passed to `composeServer` (a clock, where log lines go); `sandbox` is always on. */
  overrides?: Omit<Overrides, "sandbox">;
}

export interface Sandbox {
  /**
   * The composed server: connect it with `app.server.connectStdio()` (or serve it over HTTP).
   * `app.close()` closes the MCP server and the backend's client, then stops the simulator.
   */
  app: App;
  /** The simulator's base URL, e.g. `http://127.0.0.1:43123`. */
  url: string;
  /** The absolute path of the state file. */
  file: string;
  /** The ID of the server's own (seeded) token; its secret stays in the file. */
  adminTokenId: string;
}

/**
 * Starts the backend's simulator over the state file and composes the app against it. Throws a
 * `ConfigError` (naming the variable) for a bad configuration or an unreadable state file, having
 * started nothing that is left running.
 */
export async function runSandbox(backend: BackendPlugin, options: SandboxOptions): Promise<Sandbox> {
  if (!backend.sandbox) throw new Error(`the ${backend.command} backend has no sandbox`);
  const file = sandboxFile(options.env, backend.sandbox.fileName, options.file);
  const release = lockSandboxFile(file);
  let started;
  try {
    const [start, makeBackend] = await Promise.all([backend.sandbox.start(), backend.makeBackend()]);
    started = await start({ env: options.env, file, clock: options.overrides?.clock ?? Date.now });
    const { config } = started;
    const app = composeServer(config, (deps) => makeBackend(config, deps), { ...options.overrides, sandbox: true });
    for (const { level, message, fields } of started.notes) app.log[level](message, fields);
    return { app: withSimulator(app, started.simulator, release), url: started.simulator.url, file, adminTokenId: started.adminTokenId };
  } catch (error) {
    await started?.simulator.close();
    release();
    throw error;
  }
}

/** Where the sandbox keeps its state: `file`, else `SN_MCP_SANDBOX_FILE`, else `defaultName` in the per-user state directory. */
export function sandboxFile(env: NodeJS.ProcessEnv, defaultName: string, file?: string): string {
  return resolve(file || env.SN_MCP_SANDBOX_FILE || join(userStateDir(env), defaultName));
}

/** The app, closing the simulator it talks to and releasing the sandbox file after itself. */
function withSimulator(app: App, simulator: { close(): Promise<void> }, release: () => void): App {
  let closing: Promise<void> | undefined;
  return {
    ...app,
    close() {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await simulator.close();
          release();
        }
      })();
      return closing;
    },
  };
}
