import type { BackendCapabilities, TokenInventory } from "../core/token.js";
import type { Logger } from "../log.js";
import type { z } from "zod";
import type { Tool } from "../tools/tool.js";

/** One token system behind the tools. A server process serves exactly one. */
export interface Backend<Service = unknown> {
  /** Stable, for machines (audit lines): "solarnetwork", "vast". */
  id: string;
  /** As people call it in messages: "SolarNetwork", "VAST VMS". */
  name: string;
  capabilities: BackendCapabilities;
  /** The MCP server's instructions to the model. */
  instructions: string;
  /** Every tool this backend offers; the inventory picks which ones a server exposes. */
  tools: readonly Tool<z.ZodObject, z.ZodObject, Service>[];
  service: Service;
  /** The same tokens in neutral terms, for the tools every backend shares. */
  inventory: TokenInventory;
  /** The ID of the token the server authenticates with, when it uses one. */
  ownTokenId: string | undefined;
  /** Lets go of the connection pool and timers; called once no call is running. */
  close(): Promise<void>;
}

/** What the composition root gives a backend to build itself with. */
export interface BackendDeps {
  /** Registers a credential (or a key derived from one) so that no output ever carries it. */
  protect(secret: string | Buffer): void;
  log: Logger;
  /** Wall clock, epoch ms. */
  clock: () => number;
  /** SN_MCP_TIMEOUT_MS. */
  timeoutMs: number;
  /** Back-off between GET retries, in ms (tests shorten it). */
  retryDelayMs?: (attempt: number) => number;
  /** How long a token listing may be answered from the last one (HTTP mode); unset: every listing asks the backend. */
  listingCacheMs?: number;
}
