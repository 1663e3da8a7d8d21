import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import type { Policy, TokenStatus, TokenType } from "../../backends/solarnetwork/model.js";
import { storedPolicySchema, TOKEN_STATUSES, TOKEN_TYPES } from "./policy.js";

/**
 * Token storage for the local SolarUser. Secrets are kept, in the clear, because the server must
 * verify signatures with them: this is a local sandbox, never a place for real credentials.
 */

export interface StoredToken {
  id: string;
  secret: string;
  userId: number;
  type: TokenType;
  status: TokenStatus;
  name?: string;
  description?: string;
  /** Creation time in epoch microseconds (PostgreSQL's precision). */
  created: number;
  /** Stored as the real server writes it (see `storedPolicy`); absent when the token has none. */
  policy?: Policy;
}

/** Synchronous on purpose: the server handles one request at a time against it. */
export interface TokenStore {
  get(id: string): StoredToken | undefined;
  /** Every token, in no particular order. */
  all(): StoredToken[];
  /** Inserts or replaces the token with this ID. */
  put(token: StoredToken): void;
  /** True when a token was removed. */
  delete(id: string): boolean;
}

export function memoryTokenStore(initial: Iterable<StoredToken> = []): TokenStore {
  const tokens = new Map<string, StoredToken>();
  for (const token of initial) tokens.set(token.id, structuredClone(token));
  return {
    get: (id) => {
      const token = tokens.get(id);
      return token ? structuredClone(token) : undefined;
    },
    all: () => [...tokens.values()].map((token) => structuredClone(token)),
    put: (token) => {
      tokens.set(token.id, structuredClone(token));
    },
    delete: (id) => tokens.delete(id),
  };
}


const fileSchema = z.object({
  version: z.literal(1),
  tokens: z.array(
    z.object({
      id: z.string().min(1),
      secret: z.string(),
      userId: z.number().int(),
      type: z.enum(TOKEN_TYPES),
      status: z.enum(TOKEN_STATUSES),
      name: z.string().optional(),
      description: z.string().optional(),
      created: z.number(),
      policy: storedPolicySchema.optional(),
    }),
  ),
});

/**
 * Tokens kept in a JSON file: loaded when the file exists, rewritten after every change through a
 * temporary file and a rename (so a crash never leaves half a file), with mode 0600.
 */
export function jsonFileTokenStore(path: string): TokenStore {
  const initial: StoredToken[] = [];
  if (existsSync(path)) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new Error(`The sandbox token file ${path} cannot be read (${(error as { code?: string }).code ?? "error"}).`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`The sandbox token file ${path} is not valid JSON.`);
    }
    const result = fileSchema.safeParse(parsed);
    if (!result.success) throw new Error(`The sandbox token file ${path} does not hold sandbox tokens.`);
    initial.push(...(result.data.tokens as StoredToken[]));
  }
  const memory = memoryTokenStore(initial);
  const save = () => writeAtomically(path, JSON.stringify({ version: 1, tokens: memory.all() }, null, 2) + "\n");
  // A change the file did not take is undone in memory too: memory and file never disagree.
  const restore = (id: string, previous: StoredToken | undefined) => {
    if (previous) memory.put(previous);
    else memory.delete(id);
  };
  return {
    get: memory.get,
    all: memory.all,
    put(token) {
      const previous = memory.get(token.id);
      memory.put(token);
      try {
        save();
      } catch (error) {
        restore(token.id, previous);
        throw error;
      }
    },
    delete(id) {
      const previous = memory.get(id);
      if (!memory.delete(id)) return false;
      try {
        save();
      } catch (error) {
        restore(id, previous);
        throw error;
      }
      return true;
    },
  };
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
