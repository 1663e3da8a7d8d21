#!/usr/bin/env node
import { parseArgs } from "node:util";
import { composeApp } from "./compose.js";
import { ConfigError, readConfig } from "./config.js";
import { SERVER_VERSION } from "./server.js";

const USAGE = `Usage: sn-tokens-mcp [--help] [--version]

Serves the SolarNetwork security-token tools over MCP on stdio.
Configuration comes from the environment (credentials never from flags):
  SN_URL                  SolarNetwork base URL (default https://data.solarnetwork.net)
  SN_TOKEN                the server's own unrestricted User token ID (required)
  SN_TOKEN_SECRET         its secret, or SN_TOKEN_SECRET_FILE: a file holding it
  SN_MCP_SECRET_DELIVERY  inline (default) or file
  SN_MCP_SECRET_DIR       where file delivery writes new secrets
  SN_MCP_TIMEOUT_MS       per-request timeout (default 15000)
  SN_MCP_READ_ONLY        true: only read tools
  SN_MCP_TOOLS, SN_MCP_EXCLUDE_TOOLS  comma lists of tool names
  SN_MCP_LOG_LEVEL        debug, info (default), warn, error or silent
`;

function fail(message: string): never {
  process.stderr.write(`sn-tokens-mcp: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let flags;
  try {
    flags = parseArgs({ options: { help: { type: "boolean" }, version: { type: "boolean" } }, strict: true }).values;
  } catch (error) {
    fail(`${(error as Error).message}. See --help.`);
  }
  if (flags.help) return void process.stderr.write(USAGE);
  if (flags.version) return void process.stderr.write(`${SERVER_VERSION}\n`);

  let app;
  try {
    const config = readConfig(process.env);
    app = composeApp(config);
    for (const notice of config.notices) app.log.warn(notice);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const shutdown = async () => {
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  process.stdin.once("end", shutdown);
  await app.server.connectStdio();
  app.log.info("serving MCP on stdio", { version: SERVER_VERSION });
}

main().catch((error: unknown) => {
  process.stderr.write(`sn-tokens-mcp: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
