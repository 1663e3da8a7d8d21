import { randomInt } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { SecurityRight } from "../../backends/vast/errors.js";

/**
 * What the VMS simulator knows: managers, their API tokens (secrets in the clear: this is a local
 * simulator, never a place for real credentials) and the cluster settings that govern tokens.
 */

export interface VmsUser {
  username: string;
  password: string;
  userType: "SUPER_ADMIN" | "TENANT_ADMIN";
  /** A tenant admin's tenant: such a manager must send it as `X-Tenant-Name`. */
  tenant?: string;
  /** Security realm rights. */
  rights: SecurityRight[];
  /** May read `vms/` and its password settings (which VMS permission that takes is unknown). */
  readsSettings: boolean;
}

export interface VmsToken {
  id: string;
  secret: string;
  name: string;
  owner: string;
  /** Epoch ms. */
  created: number;
  /** Epoch ms, or null: never expires. */
  expiry: number | null;
  lastUsed: number | null;
  revoked: boolean;
  revocationTime: number | null;
}

export interface VmsSettings {
  maxApiTokensPerUser: number;
  /** In the expiry grammar, e.g. `180D`: the maximum and default token lifetime. */
  pwdExpirationTimeout: string;
  pwdExpirationTimeoutEnabled: boolean;
}

export interface VmsState {
  users: VmsUser[];
  tokens: VmsToken[];
  settings: VmsSettings;
}

export const SECURITY_RIGHTS: readonly SecurityRight[] = ["View", "Create", "Edit", "Delete"];

/** The simulator's managers unless told otherwise. Their passwords are for the simulator only. */
export const DEFAULT_VMS_USERS: readonly VmsUser[] = [
  { username: "admin", password: "admin-password", userType: "SUPER_ADMIN", rights: [...SECURITY_RIGHTS], readsSettings: true },
  { username: "manager", password: "manager-password", userType: "SUPER_ADMIN", rights: [], readsSettings: false },
  { username: "secops", password: "secops-password", userType: "SUPER_ADMIN", rights: [...SECURITY_RIGHTS], readsSettings: false },
];

export const DEFAULT_VMS_SETTINGS: VmsSettings = {
  maxApiTokensPerUser: 5,
  pwdExpirationTimeout: "180D",
  pwdExpirationTimeoutEnabled: true,
};

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomAlphanumeric(length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return text;
}

/** A new 8-character token ID not yet in `state`. */
export function newTokenId(state: VmsState): string {
  for (;;) {
    const id = randomAlphanumeric(8);
    if (!state.tokens.some((token) => token.id === id)) return id;
  }
}

/** Reads the whole state from a JSON file; undefined when the file does not exist yet. */
export function loadVmsState(path: string): VmsState | undefined {
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, "utf8")) as Partial<VmsState> & { version?: unknown };
  if (state.version !== 1 || !Array.isArray(state.users) || !Array.isArray(state.tokens) || typeof state.settings !== "object") {
    throw new Error(`${path} is not a VMS simulator state file`);
  }
  return { users: state.users, tokens: state.tokens, settings: { ...DEFAULT_VMS_SETTINGS, ...state.settings } };
}

/** Writes the whole state, readable by its owner only, replacing the file in one rename. */
export function saveVmsState(path: string, state: VmsState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify({ version: 1, ...state }, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
