import { homedir } from "node:os";
import { join } from "node:path";

/** A per-user directory for this program's state, outside any working tree. */
export function userStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32") return join(env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"), "sn-tokens-mcp");
  if (platform === "darwin") return join(homedir(), "Library", "Application Support", "sn-tokens-mcp");
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "sn-tokens-mcp");
}
