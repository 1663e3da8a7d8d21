import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { composeServer, type App, type Overrides } from "../../src/compose.js";
import { solarNetworkBackend } from "../../src/backends/solarnetwork/backend.js";
import { ConfigError } from "../../src/config.js";
import { readConfig, type Config } from "../../src/backends/solarnetwork/config.js";
import { startLocalSolarUser, type LocalSolarUser } from "../../src/simulators/solarnetwork/solaruser.js";

/**
 * A real MCP client talking to the real server (in memory), which talks signed HTTP to a local
 * SolarUser. Everything the server logs is captured in `logs`.
 */
export interface Harness {
  client: Client;
  solarUser: LocalSolarUser;
  app: App;
  /** The server's own credential (an unrestricted User token). */
  admin: { id: string; secret: string };
  logs: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Requests SolarUser received since the last `mark()`. */
  requestsSinceMark(): number;
  mark(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  solarUser?: LocalSolarUser;
  clock?: () => number;
  admin?: Parameters<LocalSolarUser["seedToken"]>[0];
  /** Makes the client support form elicitation, answering each question with this. */
  elicit?: (message: string) => ElicitResult | Promise<ElicitResult>;
}

/** The server's environment for tests: this SolarUser, this credential, debug logs, no rate limits. */
export function serverEnv(
  solarUser: LocalSolarUser,
  admin: { id: string; secret: string },
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    SN_URL: solarUser.url,
    SN_TOKEN: admin.id,
    SN_TOKEN_SECRET: admin.secret,
    SN_MCP_LOG_LEVEL: "debug",
    SN_MCP_RATE_LIMIT_READS: "0",
    SN_MCP_RATE_LIMIT_WRITES: "0",
    ...env,
  };
}

/** The SolarNetwork server, composed as `sn-tokens-mcp` composes it. */
export function composeApp(config: Config, overrides: Overrides = {}): App {
  return composeServer(config, (deps) => solarNetworkBackend(config, deps), overrides);
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const solarUser = options.solarUser ?? (await startLocalSolarUser());
  const admin = solarUser.seedToken(options.admin ?? { type: "User", userId: 123 });
  const config: Config = readConfig(serverEnv(solarUser, admin, options.env));
  const logs: string[] = [];
  const app = composeApp(config, { writeLog: (line) => logs.push(line), retryDelayMs: () => 0, clock: options.clock });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.server.connect(serverTransport);
  const client = new Client(
    { name: "sn-tokens-mcp-tests", version: "0.0.0" },
    { capabilities: options.elicit ? { elicitation: { form: {} } } : {} },
  );
  if (options.elicit) {
    const answer = options.elicit;
    client.setRequestHandler(ElicitRequestSchema, (request) => answer(request.params.message));
  }
  await client.connect(clientTransport);
  let marked = solarUser.requests.length;
  return {
    client,
    solarUser,
    app,
    admin,
    logs,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    requestsSinceMark: () => solarUser.requests.length - marked,
    mark: () => {
      marked = solarUser.requests.length;
    },
    async close() {
      await client.close();
      await app.close();
      if (!options.solarUser) await solarUser.close();
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

/** A promise the test settles by hand (Promise.withResolvers needs Node 22). */
export function gate(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** The ConfigError `run` throws; fails the test when it throws nothing or something else. */
export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
