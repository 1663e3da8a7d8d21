import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/**
 * A no-account demo: starts this server in sandbox mode over stdio exactly as an MCP client would
 * (`node dist/cli.js sandbox`: the server signs its requests to an embedded local SolarUser, which
 * verifies them as SolarNetwork does), and through a real MCP client creates, lists, updates,
 * disables and deletes a token, printing each result. `demo.js vast` does the same against the
 * embedded VMS simulator (`cli.js vast sandbox`): create, list, update, revoke. This is an MCP
 * *client*, so it uses the SDK's client side. The sandbox's file is a temporary one, removed at the end.
 */

const say = (text: string) => process.stdout.write(`${text}\n`); // stdout-ok: the demo is not an MCP server

async function main(): Promise<void> {
  const vast = process.argv[2] === "vast";
  const dir = mkdtempSync(join(tmpdir(), "sn-tokens-mcp-demo-"));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [fileURLToPath(new URL("./cli.js", import.meta.url)), ...(vast ? ["vast", "sandbox"] : ["sandbox"])],
    env: {
      PATH: process.env.PATH ?? "",
      SN_MCP_SANDBOX_FILE: join(dir, "sandbox-tokens.json"),
      SN_MCP_LOG_LEVEL: "warn",
    },
    stderr: "inherit",
  });
  const client = new Client({ name: "sn-tokens-mcp-demo", version: "1.0.0" });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    say(
      vast
        ? `Started "node dist/cli.js vast sandbox" (no VAST cluster is used) and connected over stdio.`
        : `Started "node dist/cli.js sandbox" (no SolarNetwork account is used) and connected over stdio.`,
    );
    say(`Tools: ${tools.map((tool) => tool.name).join(", ")}\n`);
    if (vast) return await vastSteps(client);

    const created = await step(client, "create_token", {
      type: "ReadNodeData",
      name: "Reporting: region 1",
      nodeIds: [100, 101],
      sourceIds: ["/REGION1/**"],
      minAggregation: "Hour",
      expirationDate: `${new Date().getUTCFullYear() + 1}-03-31`,
      timeZone: "Pacific/Auckland",
      displayMode: "pretty",
    });
    const tokenId = (created.structuredContent as { token: { id: string } }).token.id;
    await step(client, "list_tokens", { displayMode: "pretty" });
    await step(client, "update_token", { tokenId, nodeIds: [107], sourceIds: ["/REGION2/**"], displayMode: "pretty" });
    await step(client, "update_token", { tokenId, status: "Disabled" });
    await step(client, "delete_token", { tokenId });
    await step(client, "list_tokens", { displayMode: "csv" });
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function vastSteps(client: Client): Promise<void> {
  const created = await step(client, "create_token", { name: "nightly backup", expiresIn: "30D", displayMode: "pretty" });
  const tokenId = (created.structuredContent as { token: { id: string } }).token.id;
  await step(client, "list_tokens", { displayMode: "pretty" });
  await step(client, "update_token", { tokenId, name: "nightly backup (rotated)", expiresIn: "7D", displayMode: "pretty" });
  await step(client, "revoke_token", { tokenId });
  await step(client, "list_tokens", { includeRevoked: true, displayMode: "csv" });
}

async function step(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  say(`> ${name} ${JSON.stringify(args)}`);
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  for (const part of result.content) if (part.type === "text") say(part.text);
  say("");
  if (result.isError) throw new Error(`${name} failed`);
  return result;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
