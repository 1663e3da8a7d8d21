import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { composeServer } from "./compose.js";
import { DEFAULT_BACKEND } from "./registry.js";
import { FRONT_CONFIGURATIONS, type FrontConfiguration } from "./stdio-configurations.js";
import type { StdioAnswers } from "./stdio-front.js";

/**
 * What the stdio front (src/stdio-front.ts) answers with: the default backend's server's own answers,
 * recorded at build time (scripts/bundle.mjs) from the server itself, through the SDK, for each
 * configuration in FRONT_CONFIGURATIONS.
 */

export async function recordStdioAnswers(): Promise<Record<FrontConfiguration, StdioAnswers>> {
  const entries = await Promise.all(
    Object.entries(FRONT_CONFIGURATIONS).map(async ([name, env]) => [name, await recordAnswers(env)] as const),
  );
  return Object.fromEntries(entries) as Record<FrontConfiguration, StdioAnswers>;
}

/** A version no SDK supports: the SDK answers it with its latest. */
const OTHER_VERSION = "1999-01-01";

async function recordAnswers(env: NodeJS.ProcessEnv): Promise<StdioAnswers> {
  // The credential is never used: no request is made.
  const config = DEFAULT_BACKEND.readConfig({ ...env, ...DEFAULT_BACKEND.recordingEnv }, Date.now());
  const makeBackend = await DEFAULT_BACKEND.makeBackend();
  const app = composeServer(config, (deps) => makeBackend(config, deps), { writeLog: () => undefined });
  const [client, server] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<number, (message: JSONRPCMessage) => void>();
  client.onmessage = (message) => {
    if ("id" in message && !("method" in message)) waiting.get(message.id as number)?.(message);
  };
  await app.server.connect(server);
  await client.start();
  let nextId = 0;
  const resultOf = async (method: string, params?: Record<string, unknown>): Promise<unknown> => {
    const id = ++nextId;
    const answer = new Promise<JSONRPCMessage>((resolve) => waiting.set(id, resolve));
    await client.send({ jsonrpc: "2.0", id, method, ...(params && { params }) });
    const message = await answer;
    if (!("result" in message)) throw new Error(`recording the stdio answers: ${method} failed: ${JSON.stringify(message)}`);
    return message.result;
  };
  const initialize = (protocolVersion: string) =>
    resultOf("initialize", { protocolVersion, capabilities: {}, clientInfo: { name: "recording", version: "0" } });
  try {
    const byVersion: Record<string, unknown> = {};
    for (const version of SUPPORTED_PROTOCOL_VERSIONS) byVersion[version] = await initialize(version);
    return { initialize: byVersion, initializeOther: await initialize(OTHER_VERSION), ping: await resultOf("ping"), toolsList: await resultOf("tools/list") };
  } finally {
    await app.close();
  }
}
