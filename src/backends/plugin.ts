import type { z } from "zod";
import type { ServerSettings } from "../config.js";
import type { DoctorCheck } from "../doctor/run.js";
import type { BackendCapabilities } from "../core/token.js";
import type { Tool } from "../tools/tool.js";
import type { Backend, BackendDeps } from "./backend.js";

/**
 * One backend as the registry (src/registry.ts) lists it: how its command reads its configuration,
 * and, loaded only when needed, how it builds itself, its tools, its sandbox and its desktop bundle's
 * check. Reading the configuration loads nothing heavy (no zod, no luxon): the stdio front answers
 * meanwhile.
 */
export interface BackendPlugin<Config extends BackendConfig = BackendConfig> {
  /** The command that serves it: "" for the default backend, e.g. "vast"; `<command> sandbox` serves its sandbox. */
  command: string;
  /** Its part of --help: a line saying what it serves, and its variables (a heading line, then one per variable, each ending in a newline). */
  help: { summary: string; variables: string };
  /** The SN_MCP_* settings and the backend's own variables; a bad one throws a ConfigError naming it. `now`: epoch ms. */
  readConfig(env: NodeJS.ProcessEnv, now: number): Config;
  /** The server's own credential in every form it is configured in, which HTTP mode's bearer token must not repeat. */
  credentialSecrets(config: Config): readonly string[];
  makeBackend: Load<(config: Config, deps: BackendDeps) => Backend>;
  capabilities: BackendCapabilities;
  /** Every tool the backend offers (the hygiene tools are added to them). */
  tools: Load<readonly Tool<z.ZodObject, z.ZodObject, never>[]>;
  sandbox?: SandboxHook<Config>;
  /** `<command> doctor`: the backend's checks of a configuration against its upstream (src/doctor/). */
  doctor: Load<(config: Config, now: () => number) => BackendDoctor>;
  bundle: BundleCheck;
  /** The default backend: a credential its configuration reads, never used, for recording the stdio front's answers. */
  recordingEnv?: NodeJS.ProcessEnv;
}

/** A backend's configuration: the server settings, its own, and notes for the operator. */
export type BackendConfig = ServerSettings & { notices: string[] };

/** A backend's doctor: its checks in order, and what to let go of after them. */
export interface BackendDoctor {
  checks: DoctorCheck[];
  close(): Promise<void>;
}

/** A module loaded on first use, so that start-up pays only for what its mode needs. */
export type Load<T> = () => Promise<T>;

/** The backend against its embedded simulator (src/sandbox/run.ts locks the file and composes the server). */
export interface SandboxHook<Config> {
  /** The state file's name in the per-user state directory, when SN_MCP_SANDBOX_FILE is not set. */
  fileName: string;
  /**
   * Starts the simulator over the (locked) state file, seeding the server's credential when it has
   * none. A bad configuration or state file throws a ConfigError naming the variable, leaving
   * nothing running.
   */
  start: Load<(options: { env: NodeJS.ProcessEnv; file: string; clock: () => number }) => Promise<SandboxStart<Config>>>;
}

export interface SandboxStart<Config> {
  /** The configuration that serves the simulator. */
  config: Config;
  simulator: { url: string; close(): Promise<void> };
  /** The ID of the server's own (seeded) token. */
  adminTokenId: string;
  /** Lines for the server's log once it has one. */
  notes: { level: "info" | "warn"; message: string; fields: Record<string, unknown> }[];
}

/** How scripts/pack.mjs checks a desktop bundle of this backend: its manifest, and a simulator its server can serve. */
export interface BundleCheck {
  /** The MCPB manifest in the repository's root. */
  manifest: string;
  /** A local simulator, a credential for the server, and the manifest's user_config values naming both. */
  simulate: Load<{ values: Record<string, string>; ownTokenId: string; close(): Promise<void> }>;
}

/**
 * The plugin as the registry lists it, its configuration's own type forgotten: every configuration
 * its `makeBackend` and `credentialSecrets` are given is one its `readConfig` returned.
 */
export function defineBackend<Config extends BackendConfig>(plugin: BackendPlugin<Config>): BackendPlugin {
  return plugin as unknown as BackendPlugin;
}
