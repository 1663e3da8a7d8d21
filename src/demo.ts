import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startLocalSolarUser } from "./sandbox/solaruser.js";

/**
 * A no-account demo: starts a local SolarUser, starts this server over stdio exactly as an MCP
 * client would (`node dist/cli.js`), and through a real MCP client creates, lists, updates and
 * deletes a token, printing each result. This is an MCP *client*, so it uses the SDK's client side.
 */

const say = (text: string) => process.stdout.write(`${text}\n`); // stdout-ok: the demo is not an MCP server

async function main(): Promise<void> {
  const solarUser = await startLocalSolarUser();
  const admin = solarUser.seedToken({ type: "User", userId: 123, name: "demo admin" });
  say(`Local SolarUser listening at ${solarUser.url} (a simulator: no SolarNetwork account is used).`);

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [fileURLToPath(new URL("./cli.js", import.meta.url))],
    env: {
      PATH: process.env.PATH ?? "",
      SN_URL: solarUser.url,
      SN_TOKEN: admin.id,
      SN_TOKEN_SECRET: admin.secret,
      SN_MCP_LOG_LEVEL: "warn",
    },
    stderr: "inherit",
  });
  const client = new Client({ name: "sn-tokens-mcp-demo", version: "1.0.0" });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    say(`Connected over stdio; tools: ${tools.map((tool) => tool.name).join(", ")}\n`);

    const created = await step(client, "create_token", {
      type: "ReadNodeData",
      name: "Reporting: region 1",
      nodeIds: [100, 101],
      sourceIds: ["/REGION1/**"],
      minAggregation: "Hour",
      expirationDate: "2027-03-31",
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
    await solarUser.close();
  }
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
