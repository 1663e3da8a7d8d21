import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { exclusiveSections } from "./safety/exclusive.js";
import { fileAuditJournal, noAuditJournal } from "./safety/audit.js";
import { rateLimits } from "./safety/rate-limit.js";
import { Redactor } from "./safety/redact.js";
import { fileDelivery, inlineDelivery } from "./safety/secret-delivery.js";
import { mcpServerFactory, type McpServerHandle } from "./server.js";
import { SolarNetworkClient } from "./solarnetwork/client.js";
import {
  derivedKeySource,
  keyRefresher,
  refreshThrough,
  secretKeySource,
  withKeyRefresh,
  type DerivedKeySource,
  type SigningKeySource,
} from "./solarnetwork/signing-key.js";
import { SolarNetworkTokenService } from "./solarnetwork/tokens.js";
import { ALL_TOOLS } from "./tools/index.js";
import { selectTools } from "./tools/inventory.js";

/** The composition root: configuration in, a wired MCP server out. */

export interface Overrides {
  /** Wall clock in epoch ms. */
  clock?: () => number;
  /** Where log lines go (default stderr). */
  writeLog?: (line: string) => void;
  /** Back-off between GET retries, in ms. */
  retryDelayMs?: (attempt: number) => number;
  /** Sandbox mode (see src/sandbox/mode.ts): every tool and result is labelled as a sandbox. */
  sandbox?: boolean;
}

export interface App {
  server: McpServerHandle;
  /** A new MCP server on the same client, tools and journal (HTTP mode: one per request). */
  newServer(): McpServerHandle;
  log: Logger;
  /** How long one SolarNetwork request may take (SN_MCP_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Registers one more secret (e.g. the HTTP bearer) with the redactor every output passes. */
  protect(secret: string): void;
  close(): Promise<void>;
}

const KEY_RENEWAL_CHECK_MS = 3_600_000;

export function composeApp(config: Config, overrides: Overrides = {}): App {
  const clock = overrides.clock ?? Date.now;
  const redactor = new Redactor();
  const log = createLogger(config.logLevel, redactor, overrides.writeLog, clock);
  const keys = signingKeys(config, redactor);
  const client = new SolarNetworkClient({
    baseUrl: config.baseUrl,
    tokenId: config.tokenId,
    keys: keys.source,
    timeoutMs: config.timeoutMs,
    clock,
    retryDelayMs: overrides.retryDelayMs,
  });
  const refresher = keys.derived
    ? keyRefresher({ keys: keys.derived, fetchKey: refreshThrough(client), now: () => clock() + client.clockOffsetMs, log })
    : undefined;
  // Calls renew the key too; this keeps a server that gets none for a week from letting it expire.
  const renewal = refresher && setInterval(() => void refresher.refreshIfDue(), KEY_RENEWAL_CHECK_MS).unref();
  const newServer = mcpServerFactory({
    tools: selectTools(ALL_TOOLS, config),
    context: {
      tokens: refresher ? withKeyRefresh(new SolarNetworkTokenService(client), refresher) : new SolarNetworkTokenService(client),
      delivery: config.secretDelivery === "file" ? fileDelivery(config.secretDir, clock) : inlineDelivery(),
      log,
      now: clock,
      protectSecret: (secret) => redactor.addSecret(secret),
      redact: (text) => redactor.text(text),
      ownTokenId: config.tokenId,
      guardrails: config.guardrails,
      // One per process: HTTP mode's per-request servers share it, as they share the rate limits.
      exclusive: exclusiveSections(),
    },
    redactor,
    log,
    audit: config.auditLog ? fileAuditJournal(config.auditLog, redactor, clock) : noAuditJournal,
    // Made once: every server shares them, so the limits hold across HTTP requests.
    rateLimits: rateLimits(config.rateLimits, clock),
    sandbox: overrides.sandbox,
  });
  const server = newServer();
  return {
    server,
    newServer,
    log,
    requestTimeoutMs: config.timeoutMs,
    protect: (secret) => redactor.addSecret(secret),
    async close() {
      clearInterval(renewal);
      // Closing aborts the calls in flight; a write already sent still finishes (and a create whose
      // secret can no longer be delivered deletes its token), so the pool stays open until then.
      await server.close();
      // Room for the create itself, then the listing and delete that clean up after it.
      await newServer.whenIdle(3 * config.timeoutMs + 5_000);
      await client.close();
    },
  };
}

/**
 * The request signer's keys: derived from the secret, or the configured derived key (renewed
 * through SolarNetwork once a day while the server runs). Every key and the secret are redacted.
 */
function signingKeys(
  config: Config,
  redactor: Redactor,
): { source: SigningKeySource; derived?: DerivedKeySource } {
  const protect = (key: Buffer) => {
    redactor.addSecret(key);
    redactor.addSecret(key.toString("hex").toUpperCase());
  };
  if (config.signingKey) {
    const source = derivedKeySource(config.signingKey.keyHex, config.signingKey.date, protect);
    return { source, derived: source };
  }
  if (config.tokenSecret === undefined) throw new Error("No SolarNetwork credential is configured.");
  redactor.addSecret(config.tokenSecret);
  return { source: secretKeySource(config.tokenSecret, protect) };
}
