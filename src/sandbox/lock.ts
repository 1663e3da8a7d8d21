import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config.js";

/**
 * One sandbox process per token file: each process keeps the tokens in memory and rewrites the
 * whole file, so a second one would silently undo the first one's changes. The lock is a
 * `<file>.lock` holding the owner's process ID and command; a lock whose process is gone, or whose
 * process ID now belongs to another program (IDs are reused), is taken over.
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
      writeSync(fd, JSON.stringify({ pid: process.pid, command: commandOf(process.pid) }));
      closeSync(fd);
      break;
    } catch (error) {
      if (codeOf(error) !== "EEXIST" || attempt > 0) {
        throw new ConfigError("SN_MCP_SANDBOX_FILE", `cannot lock ${file} (${codeOf(error)}); point SN_MCP_SANDBOX_FILE elsewhere`);
      }
      const owner = ownerOf(lock);
      if (owner !== undefined && isRunning(owner.pid) && (owner.command === undefined || commandOf(owner.pid) === owner.command)) {
        throw new ConfigError(
          "SN_MCP_SANDBOX_FILE",
          `${file} is in use by another sandbox (process ${owner.pid}); give each sandbox its own SN_MCP_SANDBOX_FILE`,
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
    if (ownerOf(lock)?.pid === process.pid) rmSync(lock, { force: true });
  };
  process.on("exit", release);
  return release;
}

interface LockOwner {
  pid: number;
  /** The owner's command line where the system shows it (Linux), else undefined. */
  command?: string;
}

function ownerOf(lock: string): LockOwner | undefined {
  try {
    const text = readFileSync(lock, "utf8").trim();
    // An older lock holds the bare process ID.
    const owner = (/^\d+$/.test(text) ? { pid: Number(text) } : JSON.parse(text)) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** A process's command line on Linux (`/proc`); undefined where the system does not show it. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0+$/, "").replace(/\0/g, " ");
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
