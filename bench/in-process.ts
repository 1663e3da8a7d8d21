import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { composeApp, type App } from "../src/compose.js";
import { readConfig } from "../src/config.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/sandbox/solaruser.js";
import { SolarNetworkClient } from "../src/solarnetwork/client.js";
import { secretKeySource } from "../src/solarnetwork/signing-key.js";
import { TOKENS_PATH } from "../src/solarnetwork/tokens.js";
import { seedAccount, seedAdmin, type TokenMix } from "./seed.js";

/**
 * The server in this process, as test/support/harness.ts wires it: the real MCP SDK Client over the
 * SDK's in-memory transport to the composed app, which signs HTTP to a local SolarUser. Beside it,
 * the project's own SolarNetworkClient making the same signed GET directly. The client lists the
 * tools first, as real clients do, so it validates each result against the tool's output schema.
 */
export interface InProcess {
  solarUser: LocalSolarUser;
  /** Tokens in the account, the server's own included. */
  tokens: number;
  listTokens(args?: Record<string, unknown>): Promise<CallToolResult>;
  /** The signed GET list_tokens makes (`/find`, no filter), straight through SolarNetworkClient. */
  directFind(): Promise<{ results?: unknown[] } | undefined>;
  close(): Promise<void>;
}

export async function startInProcess(tokens: number, mix: TokenMix = "mixed"): Promise<InProcess> {
  const solarUser = await startLocalSolarUser();
  const admin = seedAdmin(solarUser);
  seedAccount(solarUser, tokens - 1, mix);
  const config = readConfig({
    SN_URL: solarUser.url,
    SN_TOKEN: admin.id,
    SN_TOKEN_SECRET: admin.secret,
    SN_MCP_RATE_LIMIT_READS: "0",
    SN_MCP_RATE_LIMIT_WRITES: "0",
  });
  const app: App = composeApp(config, { writeLog: () => {} });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.server.connect(serverTransport);
  const client = new Client({ name: "sn-tokens-mcp-bench", version: "0" });
  await client.connect(clientTransport);
  await client.listTools();
  const direct = new SolarNetworkClient({
    baseUrl: solarUser.url,
    tokenId: admin.id,
    keys: secretKeySource(admin.secret),
    timeoutMs: config.timeoutMs,
  });
  return {
    solarUser,
    tokens,
    async listTokens(args = {}) {
      const result = (await client.callTool({ name: "list_tokens", arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`list_tokens failed: ${JSON.stringify(result.content)}`);
      return result;
    },
    directFind: () => direct.call<{ results?: unknown[] }>({ method: "GET", path: `${TOKENS_PATH}/find`, query: [] }),
    async close() {
      await client.close();
      await app.close();
      await direct.close();
      await solarUser.close();
    },
  };
}

/** The bytes a result takes in a JSON-RPC response: its text content and structuredContent, serialized. */
/** `rendering`: the text as the client shows it; the others as serialized in the JSON-RPC response. */
export function wireBytes(result: CallToolResult): { rendering: number; total: number; text: number; structured: number } {
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
  return {
    rendering: Buffer.byteLength(text, "utf8"),
    total: Buffer.byteLength(JSON.stringify({ content: result.content, structuredContent: result.structuredContent }), "utf8"),
    text: Buffer.byteLength(JSON.stringify(text), "utf8"),
    structured: Buffer.byteLength(JSON.stringify(result.structuredContent ?? null), "utf8"),
  };
}

export function listedCount(result: CallToolResult): number {
  return ((result.structuredContent as { tokens?: unknown[] } | undefined)?.tokens ?? []).length;
}
