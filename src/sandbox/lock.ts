import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config.js";

/**
 * One sandbox process per token file: each process keeps the tokens in memory and rewrites the
 * whole file, so a second one would silently undo the first one's changes. The lock is a
 * `<file>.lock` holding the owner's process ID; a lock whose process is gone is taken over.
 * Returns the release function (also run when the process exits).
 */
export function lockSandboxFile(file: string): () => void {
  const lock = `${file}.lock`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError("SN_MCP_SANDBOX_FILE", `cannot create the directory of ${file} (${codeOf(error)}); point SN_MCP_SANDBOX_FILE elsewhere`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (codeOf(error) !== "EEXIST" || attempt > 0) {
        throw new ConfigError("SN_MCP_SANDBOX_FILE", `cannot lock ${file} (${codeOf(error)}); point SN_MCP_SANDBOX_FILE elsewhere`);
      }
      const owner = ownerOf(lock);
      if (owner !== undefined && isRunning(owner)) {
        throw new ConfigError(
          "SN_MCP_SANDBOX_FILE",
          `${file} is in use by another sandbox (process ${owner}); give each sandbox its own SN_MCP_SANDBOX_FILE`,
        );
      }
      rmSync(lock, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    if (ownerOf(lock) === process.pid) rmSync(lock, { force: true });
  };
  process.on("exit", release);
  return release;
}

function ownerOf(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === "EPERM";
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "error";
}
