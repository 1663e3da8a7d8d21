import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { type App } from "../src/compose.js";
import { composeApp } from "../test/support/harness.js";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { SolarNetworkClient } from "../src/backends/solarnetwork/client.js";
import { secretKeySource } from "../src/backends/solarnetwork/signing-key.js";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";
import { seedAccount, seedAdmin, type TokenMix } from "./seed.js";

/**
 * A local SolarUser holding an account of `tokens` tokens (the server's own included), and the
 * project's own SolarNetworkClient for it: the signed GET list_tokens makes (`/find`, no filter),
 * made directly, is every per-call figure's yardstick.
 */
export interface Account {
  solarUser: LocalSolarUser;
  admin: { id: string; secret: string };
  tokens: number;
  directFind(): Promise<{ results?: unknown[] } | undefined>;
  close(): Promise<void>;
}

export async function startAccount(tokens: number, mix: TokenMix = "mixed"): Promise<Account> {
  const solarUser = await startLocalSolarUser();
  const admin = seedAdmin(solarUser);
  seedAccount(solarUser, tokens - 1, mix);
  const direct = new SolarNetworkClient({ baseUrl: solarUser.url, tokenId: admin.id, keys: secretKeySource(admin.secret), timeoutMs: 15_000 });
  return {
    solarUser,
    admin,
    tokens,
    directFind: () => direct.call<{ results?: unknown[] }>({ method: "GET", path: `${TOKENS_PATH}/find`, query: [] }),
    async close() {
      await direct.close();
      await solarUser.close();
    },
  };
}

/** The server's configuration for an account: its credentials, rate limits off (the bench calls fast). */
export function serverEnv(account: Account): Record<string, string> {
  return {
    SN_URL: account.solarUser.url,
    SN_TOKEN: account.admin.id,
    SN_TOKEN_SECRET: account.admin.secret,
    SN_MCP_RATE_LIMIT_READS: "0",
    SN_MCP_RATE_LIMIT_WRITES: "0",
  };
}

/**
 * The server in this process, as test/support/harness.ts wires it: the real MCP SDK Client over the
 * SDK's in-memory transport to the composed app, which signs HTTP to the account's local SolarUser.
 * The client lists the tools first, as real clients do, so it validates each result against the
 * tool's output schema.
 */
export interface InProcess extends Account {
  listTokens(args?: Record<string, unknown>): Promise<CallToolResult>;
}

export async function startInProcess(tokens: number, mix: TokenMix = "mixed"): Promise<InProcess> {
  const account = await startAccount(tokens, mix);
  const app: App = composeApp(readConfig(serverEnv(account)), { writeLog: () => {} });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.server.connect(serverTransport);
  const client = new Client({ name: "sn-tokens-mcp-bench", version: "0" });
  await client.connect(clientTransport);
  await client.listTools();
  return {
    ...account,
    async listTokens(args = {}) {
      const result = (await client.callTool({ name: "list_tokens", arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`list_tokens failed: ${JSON.stringify(result.content)}`);
      return result;
    },
    async close() {
      await client.close();
      await app.close();
      await account.close();
    },
  };
}

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
