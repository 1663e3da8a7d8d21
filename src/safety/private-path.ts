import { accessSync, constants, lstatSync, type Stats } from "node:fs";
import { dirname, isAbsolute } from "node:path";
import { ConfigError } from "../config-error.js";

/**
 * Start-up checks of a path the server writes secrets or the audit journal to: absolute, not a
 * symbolic link, of the right kind, owned by this user, not writable by group or others, and
 * writable (or creatable) now. A failure names the variable, so the operator knows what to fix.
 */
export function checkPrivatePath(variable: string, path: string, kind: "file" | "directory"): void {
  if (!isAbsolute(path)) throw new ConfigError(variable, `${path} is not an absolute path`);
  const stats = lstatOrUndefined(path);
  if (!stats) return checkCreatable(variable, path);
  if (stats.isSymbolicLink()) throw new ConfigError(variable, `${path} is a symbolic link; give the real path`);
  if (kind === "file" && !stats.isFile()) throw new ConfigError(variable, `${path} is not a file`);
  if (kind === "directory" && !stats.isDirectory()) throw new ConfigError(variable, `${path} is not a directory`);
  checkPrivate(variable, path, stats);
  checkWritable(variable, path);
}

/** A path that does not exist yet: its nearest existing ancestor must be a directory this user may write to. */
function checkCreatable(variable: string, path: string): void {
  let ancestor = dirname(path);
  let stats = lstatOrUndefined(ancestor);
  while (!stats && dirname(ancestor) !== ancestor) {
    ancestor = dirname(ancestor);
    stats = lstatOrUndefined(ancestor);
  }
  if (!stats?.isDirectory()) throw new ConfigError(variable, `${path} cannot be created: ${ancestor} is not a directory`);
  checkWritable(variable, ancestor, `${path} cannot be created`);
}

function checkPrivate(variable: string, path: string, stats: Stats): void {
  if (process.platform === "win32") return;
  if (typeof process.getuid === "function" && stats.uid !== process.getuid()) {
    throw new ConfigError(variable, `${path} belongs to another user; use a path of your own`);
  }
  if ((stats.mode & 0o022) !== 0) throw new ConfigError(variable, `${path} is writable by group or others; chmod go-w it`);
}

function checkWritable(variable: string, path: string, what = `${path} is not writable`): void {
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw new ConfigError(variable, what);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}
