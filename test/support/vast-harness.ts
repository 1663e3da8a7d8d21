import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { vastBackend } from "../../src/backends/vast/backend.js";
import { readVastConfig } from "../../src/backends/vast/config.js";
import { composeServer, type App } from "../../src/compose.js";
import { readServerSettings } from "../../src/config.js";
import { startVmsSimulator, type VmsSimulator, type VmsSimulatorOptions } from "../../src/simulators/vast/server.js";

/**
 * A real MCP client talking to the real server with the VAST backend (in memory), which talks
 * HTTP to the local VMS simulator with its own API token (the simulator's admin's).
 */
export interface VastHarness {
  client: Client;
  vms: VmsSimulator;
  app: App;
  /** The server's own credential. */
  admin: { id: string; token: string };
  logs: string[];
  /** The questions the person was asked. */
  questions: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Requests VMS received since the last `mark()` with this method. */
  sentSinceMark(method?: string): number;
  mark(): void;
  close(): Promise<void>;
}

export interface VastHarnessOptions {
  env?: Record<string, string>;
  vms?: VmsSimulatorOptions;
  clock?: () => number;
  /** Makes the client support form elicitation, answering each question with this. */
  elicit?: (message: string) => ElicitResult;
}

export const ALLOW: ElicitResult = { action: "accept", content: { allow: true } };
export const DECLINE: ElicitResult = { action: "decline" };

export async function startVastHarness(options: VastHarnessOptions = {}): Promise<VastHarness> {
  const vms = await startVmsSimulator({ now: options.clock, ...options.vms });
  const admin = vms.seedToken({ owner: "admin", name: "mcp server", expiry: null });
  const env = {
    VAST_URL: vms.url,
    VAST_API_TOKEN: admin.token,
    SN_MCP_LOG_LEVEL: "debug",
    SN_MCP_RATE_LIMIT_READS: "0",
    SN_MCP_RATE_LIMIT_WRITES: "0",
    ...options.env,
  };
  const config = readVastConfig(env);
  const logs: string[] = [];
  const questions: string[] = [];
  const app = composeServer(readServerSettings(env), (deps) => vastBackend(config, deps), {
    writeLog: (line) => logs.push(line),
    retryDelayMs: () => 0,
    clock: options.clock,
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.server.connect(serverTransport);
  const client = new Client({ name: "vast-tests", version: "0.0.0" }, { capabilities: options.elicit ? { elicitation: { form: {} } } : {} });
  if (options.elicit) {
    const answer = options.elicit;
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      questions.push(request.params.message);
      return answer(request.params.message);
    });
  }
  await client.connect(clientTransport);
  let marked = vms.requests.length;
  return {
    client,
    vms,
    app,
    admin,
    logs,
    questions,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    sentSinceMark: (method) => vms.requests.slice(marked).filter((request) => method === undefined || request.method === method).length,
    mark: () => {
      marked = vms.requests.length;
    },
    async close() {
      await client.close();
      await app.close();
      await vms.close();
    },
  };
}
