import type { ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { serveBinary } from "./support/binary.js";

/** `node dist/cli.js vast sandbox --http`: the VAST tools served as stateless Streamable HTTP behind the bearer. */

const BEARER = "vast-http-test-bearer-0123456789abcdef01234";

const children: ChildProcessByStdio<null, Readable, Readable>[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("node dist/cli.js vast sandbox --http", () => {
  it("serves the VAST tools against the embedded VMS simulator over HTTP, to the bearer only", { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "sn-mcp-vast-http-"));
    dirs.push(dir);
    const file = join(dir, "vast.json");
    const { child, url, output, exited } = await serveBinary(["vast", "sandbox", "--http", "--port", "0"], { SN_MCP_SANDBOX_FILE: file, SN_MCP_HTTP_TOKEN: BEARER });
    children.push(child);

    const refused = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(refused.status).toBe(401);

    const client = new Client({ name: "vast-http-test", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${BEARER}` } } }));
    const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["create_token", "list_tokens", "retire_assistant_tokens", "review_tokens", "revoke_token", "rotate_token", "update_token"]);
    const created = await call("create_token", { name: "over http", expiresIn: "1D" });
    expect(created.isError).toBeFalsy();
    const { token, secret } = created.structuredContent as { token: { id: string }; secret: string };
    expect(secret).toMatch(new RegExp(`^${token.id}\\.[A-Za-z0-9]{32}$`));
    const listed = await call("list_tokens", {});
    expect((listed.structuredContent as { tokens: { id: string }[] }).tokens.map((listedToken) => listedToken.id)).toContain(token.id);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(JSON.stringify(listed)).toContain("[SANDBOX]");
    await client.close();

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output.stderr).not.toContain(BEARER);
    expect(output.stderr).not.toContain(secret);
    // The state file kept the token for the next start.
    expect(readFileSync(file, "utf8")).toContain(token.id);
  });
});
