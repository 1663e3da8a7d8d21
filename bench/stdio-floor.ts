import { createInterface } from "node:readline";
import { SolarNetworkClient } from "../src/backends/solarnetwork/client.js";
import { secretKeySource } from "../src/backends/solarnetwork/signing-key.js";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";

/**
 * The stdio floor (run as a child process by bench/per-call.ts): what any stdio server answering
 * list_tokens with the same signed GET pays, without being an MCP server. It reads newline-delimited
 * JSON-RPC and answers each request with one line; a `tools/call` with the account's /find reply,
 * made with the project's SolarNetworkClient, as text (its JSON) and as structuredContent, the shape
 * of a list_tokens result. No SDK, no validation, no cleaning, no redaction. The pipe both ways,
 * a second process's event loop and HTTP between two processes are what is left.
 */
const { SN_URL = "", SN_TOKEN = "", SN_TOKEN_SECRET = "" } = process.env;
const client = new SolarNetworkClient({ baseUrl: SN_URL, tokenId: SN_TOKEN, keys: secretKeySource(SN_TOKEN_SECRET), timeoutMs: 15_000 });

async function answer(method: string): Promise<unknown> {
  if (method !== "tools/call") return {};
  const data = await client.call({ method: "GET", path: `${TOKENS_PATH}/find`, query: [] });
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const { id, method } = JSON.parse(line) as { id?: number; method: string };
  if (id === undefined) return;
  void answer(method).then((result) => process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`));
});
process.stdin.on("end", () => void client.close());
