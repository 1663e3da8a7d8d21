import type { Backend, BackendDeps } from "./backends/backend.js";
import type { ServerSettings } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { fileAuditJournal, noAuditJournal } from "./safety/audit.js";
import { exclusiveSections } from "./safety/exclusive.js";
import { rateLimits } from "./safety/rate-limit.js";
import { Redactor } from "./safety/redact.js";
import { deliveryFor } from "./safety/secret-delivery.js";
import { secretPages, type SecretPages } from "./safety/secret-page.js";
import { sandboxLabels } from "./sandbox/label.js";
import { mcpServerFactory, type McpServerHandle } from "./server.js";
import { hygieneTools } from "./tools/hygiene/index.js";
import { selectTools } from "./tools/inventory.js";

/** The composition root: configuration and a backend in, a wired MCP server out. */

export interface Overrides {
  /** Wall clock in epoch ms. */
  clock?: () => number;
  /** Where log lines go (default stderr). */
  writeLog?: (line: string) => void;
  /** Back-off between GET retries, in ms. */
  retryDelayMs?: (attempt: number) => number;
  /** Sandbox mode (see src/sandbox/): every tool and result is labelled as a sandbox. */
  sandbox?: boolean;
  /** HTTP mode: how long a token listing may be answered from the last one (see listing-cache.ts). */
  listingCacheMs?: number;
}

export interface App {
  server: McpServerHandle;
  /** A new MCP server on the same client, tools and journal (HTTP mode: one per session, or per request outside one). */
  newServer(): McpServerHandle;
  log: Logger;
  /** How long one backend request may take (SN_MCP_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Registers one more secret (e.g. the HTTP bearer) with the redactor every output passes. */
  protect(secret: string): void;
  /** The one-time pages of url secret delivery: HTTP mode serves them on its listener. */
  secretPages: SecretPages;
  /** Whether the tool of this name is served and only reads (HTTP mode's OAuth scopes tell reads from writes). */
  isReadOnlyTool(name: string): boolean;
  close(): Promise<void>;
}

/** Any backend's server: `makeBackend` gets the logger, the redactor's door and the clock. */
export function composeServer<Service>(
  settings: ServerSettings,
  makeBackend: (deps: BackendDeps) => Backend<Service>,
  overrides: Overrides = {},
): App {
  const clock = overrides.clock ?? Date.now;
  const redactor = new Redactor();
  const log = createLogger(settings.logLevel, redactor, overrides.writeLog, clock);
  const backend = makeBackend({
    protect: (secret) => redactor.addSecret(secret),
    log,
    clock,
    timeoutMs: settings.timeoutMs,
    retryDelayMs: overrides.retryDelayMs,
    listingCacheMs: overrides.listingCacheMs,
  });
  const pages = secretPages({
    clock,
    // Loaded at the first url delivery: start-up does not pay for a listener it may never need.
    listen: async (respond) => (await import("./http/page-listener.js")).listenForPages(respond),
    protect: (secret) => redactor.addSecret(secret),
  });
  const tools = selectTools([...backend.tools, ...hygieneTools(backend.tools, backend.capabilities)], settings);
  const readOnlyTools = new Set(tools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name));
  const newServer = mcpServerFactory({
    backend: backend.name,
    instructions: backend.instructions,
    tools,
    context: {
      tokens: backend.service,
      backend: { name: backend.name, capabilities: backend.capabilities, inventory: backend.inventory },
      log,
      now: clock,
      protectSecret: (secret) => redactor.addSecret(secret),
      redact: (text) => redactor.text(text),
      ownTokenId: backend.ownTokenId,
      guardrails: settings.guardrails,
      // One per process: HTTP mode's servers (per session or request) share it, as they share the rate limits.
      exclusive: exclusiveSections(),
    },
    deliveryFor: deliveryFor(settings.secretDelivery, { secretDir: settings.secretDir, clock, pages }),
    redactor,
    log,
    audit: settings.auditLog ? fileAuditJournal(settings.auditLog, redactor, clock, backend.id) : noAuditJournal,
    // Made once: every server shares them, so the limits hold across HTTP requests.
    rateLimits: rateLimits(settings.rateLimits, clock),
    labels: overrides.sandbox ? sandboxLabels(backend.name) : undefined,
  });
  const server = newServer();
  return {
    server,
    newServer,
    log,
    requestTimeoutMs: settings.timeoutMs,
    protect: (secret) => redactor.addSecret(secret),
    secretPages: pages,
    isReadOnlyTool: (name) => readOnlyTools.has(name),
    async close() {
      // Closing aborts the calls in flight; a write already sent still finishes (and a create whose
      // secret can no longer be delivered deletes its token), so the pool stays open until then.
      await server.close();
      // Room for the create itself, then the listing and delete that clean up after it.
      await newServer.whenIdle(3 * settings.timeoutMs + 5_000);
      await pages.close();
      await backend.close();
    },
  };
}
