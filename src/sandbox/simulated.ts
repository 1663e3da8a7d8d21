import { join, resolve } from "node:path";
import type { App } from "../compose.js";
import { userStateDir } from "../paths.js";

/** What every backend's sandbox shares: where its file is, and an app that stops its simulator. */

/** Where the sandbox keeps its tokens: `file`, else `SN_MCP_SANDBOX_FILE`, else `defaultName` in the per-user state directory. */
export function sandboxFile(env: NodeJS.ProcessEnv, defaultName: string, file?: string): string {
  return resolve(file || env.SN_MCP_SANDBOX_FILE || join(userStateDir(env), defaultName));
}

/** The app, closing the simulator it talks to and releasing the sandbox file after itself. */
export function withSimulator(app: App, simulator: { close(): Promise<void> }, release: () => void): App {
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
