import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { fileAuditJournal, noAuditJournal } from "./safety/audit.js";
import { Redactor } from "./safety/redact.js";
import { fileDelivery, inlineDelivery } from "./safety/secret-delivery.js";
import { createMcpServer, type McpServerHandle } from "./server.js";
import { SolarNetworkClient } from "./solarnetwork/client.js";
import { secretKeySource } from "./solarnetwork/signing-key.js";
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
}

export interface App {
  server: McpServerHandle;
  log: Logger;
  close(): Promise<void>;
}

export function composeApp(config: Config, overrides: Overrides = {}): App {
  const clock = overrides.clock ?? Date.now;
  const redactor = new Redactor();
  redactor.addSecret(config.tokenSecret);
  const log = createLogger(config.logLevel, redactor, overrides.writeLog, clock);
  const client = new SolarNetworkClient({
    baseUrl: config.baseUrl,
    tokenId: config.tokenId,
    keys: secretKeySource(config.tokenSecret, (key) => redactor.addSecret(key)),
    timeoutMs: config.timeoutMs,
    clock,
    retryDelayMs: overrides.retryDelayMs,
  });
  const server = createMcpServer({
    tools: selectTools(ALL_TOOLS, config),
    context: {
      tokens: new SolarNetworkTokenService(client),
      delivery: config.secretDelivery === "file" ? fileDelivery(config.secretDir, clock) : inlineDelivery(),
      log,
      now: clock,
      protectSecret: (secret) => redactor.addSecret(secret),
      guardrails: config.guardrails,
    },
    redactor,
    log,
    audit: config.auditLog ? fileAuditJournal(config.auditLog, redactor, clock) : noAuditJournal,
    rateLimits: config.rateLimits,
  });
  return {
    server,
    log,
    async close() {
      await server.close();
      await client.close();
    },
  };
}
