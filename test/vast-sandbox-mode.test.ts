import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SANDBOX_META_KEY, SANDBOX_PREFIX } from "../src/sandbox/label.js";
import { vastPlugin } from "../src/backends/vast/plugin.js";
import { VAST_SANDBOX_ADMIN_NAME } from "../src/backends/vast/sandbox.js";
import { runSandbox, type Sandbox, type SandboxOptions } from "../src/sandbox/run.js";
import type { VmsToken } from "../src/simulators/vast/state.js";
import { textOf } from "./support/harness.js";

const runVastSandbox = (options: SandboxOptions) => runSandbox(vastPlugin, options);

/** `vast sandbox` through a real MCP client: labelled tools and results, a persistent 0600 state file, restarts, the lock. */

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const VAST_TOOLS = ["create_token", "list_tokens", "retire_assistant_tokens", "review_tokens", "revoke_token", "rotate_token", "update_token"];

interface Connected {
  sandbox: Sandbox;
  client: Client;
  logs: string[];
  questions: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

let dir: string;
let file: string;
const open: Connected[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sn-vast-sandbox-mode-"));
  file = join(dir, "state", "vast.json");
});

afterEach(async () => {
  for (const connected of open.splice(0)) await connected.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The sandbox in process, with a client that confirms every question it is asked. */
async function start(env: Record<string, string> = {}): Promise<Connected> {
  const logs: string[] = [];
  const questions: string[] = [];
  const sandbox = await runVastSandbox({
    env: { SN_MCP_SANDBOX_FILE: file, SN_MCP_LOG_LEVEL: "debug", ...env },
    overrides: { writeLog: (line) => logs.push(line) },
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await sandbox.app.server.connect(serverTransport);
  const client = new Client({ name: "vast-sandbox-mode-tests", version: "0.0.0" }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    questions.push(request.params.message);
    return { action: "accept", content: { allow: true } };
  });
  await client.connect(clientTransport);
  let closed = false;
  const connected: Connected = {
    sandbox,
    client,
    logs,
    questions,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      await sandbox.app.close();
    },
  };
  open.push(connected);
  return connected;
}

const storedTokens = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { tokens: VmsToken[] }).tokens;
const tokenIds = (result: CallToolResult) => (result.structuredContent as { tokens: { id: string }[] }).tokens.map((token) => token.id);
const createdOf = (result: CallToolResult) => result.structuredContent as { token: { id: string; name: string; owner: string }; secret?: string };

function editStoredToken(id: string, change: Partial<VmsToken>): void {
  const state = JSON.parse(readFileSync(file, "utf8")) as { tokens: VmsToken[] };
  state.tokens = state.tokens.map((token) => (token.id === id ? { ...token, ...change } : token));
  writeFileSync(file, JSON.stringify(state));
}

describe("vast sandbox, in process (runVastSandbox)", () => {
  it("serves list, create, update and revoke against a local VMS simulator, every tool and result labelled as a sandbox", async () => {
    const connected = await start();
    expect(connected.sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { tools } = await connected.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(VAST_TOOLS);
    for (const tool of tools) {
      expect(tool.description).toMatch(/^\[SANDBOX: a local VAST VMS simulator/);
      expect(tool.title).toMatch(/\(sandbox\)$/);
    }
    expect(connected.client.getInstructions()).toMatch(/SANDBOX/);

    const created = await connected.call("create_token", { name: "labelled", expiresIn: "30D" });
    expect(created.isError).toBeFalsy();
    const { token, secret } = createdOf(created);
    expect(secret).toMatch(new RegExp(`^${token.id}\\.[A-Za-z0-9]{32}$`));
    const results = [
      created,
      await connected.call("list_tokens", { displayMode: "pretty" }),
      await connected.call("update_token", { tokenId: token.id, name: "relabelled" }),
      await connected.call("revoke_token", { tokenId: token.id }),
      await connected.call("revoke_token", { tokenId: "NoSuchId" }),
      await connected.call("create_token", { owner: "not a user name" }),
    ];
    expect(results.map((result) => Boolean(result.isError))).toEqual([false, false, false, false, true, true]);
    for (const result of results) {
      expect(textOf(result).startsWith(SANDBOX_PREFIX)).toBe(true);
      expect(result._meta?.[SANDBOX_META_KEY]).toBe(true);
    }
    // The label is a block of its own: the JSON after it still parses.
    const json = created.content[1];
    expect(json?.type === "text" && JSON.parse(json.text)).toMatchObject({ token: { name: expect.stringMatching(/^labelled \[ai /) } });
    expect(connected.questions).toEqual([expect.stringMatching(/^Revoke the VAST VMS API token/)]);
    expect(storedTokens(file).find((stored) => stored.id === token.id)).toMatchObject({ name: expect.stringMatching(/^relabelled \[ai /), revoked: true });

    // The server's own token shows under its marking name; its secret never does.
    const listed = await connected.call("list_tokens", {});
    expect(listed.structuredContent).toMatchObject({ tokens: [{ id: connected.sandbox.adminTokenId, name: VAST_SANDBOX_ADMIN_NAME, owner: "admin" }] });
    const adminSecret = storedTokens(file).find((stored) => stored.id === connected.sandbox.adminTokenId)?.secret as string;
    const shown = [...results, listed].map((result) => JSON.stringify(result));
    expect([...shown, ...connected.logs].join("\n")).not.toContain(adminSecret);
    expect(connected.logs.join("")).toContain('"message":"sandbox: a local VMS simulator, no VAST cluster"');
  });

  it("keeps tokens across restarts in the same 0600 file, reusing the seeded credential", async () => {
    const first = await start();
    const id = createdOf(await first.call("create_token", { name: "survives restarts", expiresIn: "7D" })).token.id;
    const adminId = first.sandbox.adminTokenId;
    await first.close();
    if (process.platform !== "win32") {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "state")).mode & 0o777).toBe(0o700);
    }

    const second = await start();
    expect(second.sandbox.adminTokenId).toBe(adminId);
    expect(second.logs.join("")).toContain('"seeded":false');
    expect(tokenIds(await second.call("list_tokens", {}))).toEqual([adminId, id]);
    expect((await second.call("revoke_token", { tokenId: id })).isError).toBeFalsy();
    await second.close();

    const third = await start();
    expect(third.sandbox.adminTokenId).toBe(adminId);
    expect(tokenIds(await third.call("list_tokens", {}))).toEqual([adminId]);
    expect(tokenIds(await third.call("list_tokens", { includeRevoked: true }))).toEqual([adminId, id]);
    expect(storedTokens(file)).toHaveLength(2);
  });

  it.skipIf(process.platform === "win32")("tightens a state file someone made readable by others (it holds the sandbox's secrets)", async () => {
    await (await start()).close();
    chmodSync(file, 0o644);
    const connected = await start();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await connected.call("list_tokens", {})).isError).toBeFalsy();
  });

  it("seeds a new credential when the seeded one was revoked through the tools, and again when it has expired", async () => {
    const first = await start();
    const revokedId = first.sandbox.adminTokenId;
    const revoked = await first.call("revoke_token", { tokenId: revokedId });
    expect(revoked.isError).toBeFalsy();
    expect(first.questions.at(-1)).toMatch(/the token this server itself signs in with/);
    // Locked out now; the result still says sandbox.
    const lockedOut = await first.call("list_tokens", {});
    expect(lockedOut.isError).toBe(true);
    expect(textOf(lockedOut).startsWith(SANDBOX_PREFIX)).toBe(true);
    await first.close();

    const second = await start();
    const expiredId = second.sandbox.adminTokenId;
    expect(expiredId).not.toBe(revokedId);
    expect(second.logs.join("")).toContain('"seeded":true');
    expect((await second.call("list_tokens", {})).isError).toBeFalsy();
    await second.close();

    editStoredToken(expiredId, { expiry: Date.now() - 1_000 });
    const third = await start();
    expect([revokedId, expiredId]).not.toContain(third.sandbox.adminTokenId);
    expect(tokenIds(await third.call("list_tokens", {}))).toEqual([expiredId, third.sandbox.adminTokenId]);
    expect((await third.call("list_tokens", {})).structuredContent).toMatchObject({ tokens: [{ status: "Expired" }, { status: "Active" }] });
  });

  it("ignores the VAST cluster settings in the environment, with a warning that names them and no value", async () => {
    const connected = await start({
      VAST_URL: "https://vms.example.com",
      VAST_API_TOKEN: "RealTokn.aRealClusterSecretValue0123456789ab",
      VAST_TENANT: "tenant-a",
      VAST_CA_FILE: join(dir, "no-such-ca.pem"),
      VAST_TLS_INSECURE: "not even a boolean",
    });
    expect((await connected.call("list_tokens", {})).isError).toBeFalsy();
    const warning = connected.logs.find((line) => line.includes("sandbox mode ignores the VAST cluster settings"));
    expect(warning).toContain('"ignored":["VAST_URL","VAST_API_TOKEN","VAST_TENANT","VAST_CA_FILE","VAST_TLS_INSECURE"]');
    expect(connected.logs.join("\n")).not.toContain("aRealClusterSecretValue");
  });

  it("refuses a file that is not a VMS state file (and a directory), naming SN_MCP_SANDBOX_FILE, and leaves the file as it was", async () => {
    const broken = join(dir, "broken.json");
    const solarNetworkSandbox = JSON.stringify({ version: 1, tokens: [{ id: "ABCDEFGHIJKLMNOPQRST", type: "User" }] });
    // A VMS state, but without the admin user the sandbox signs in as.
    const withoutAdmin = JSON.stringify({ version: 1, users: [], tokens: [], settings: {} });
    for (const text of ["{ not json", JSON.stringify({ something: "else" }), solarNetworkSandbox, withoutAdmin]) {
      writeFileSync(broken, text);
      await expect(runVastSandbox({ env: { SN_MCP_SANDBOX_FILE: broken } })).rejects.toMatchObject({
        name: "ConfigError",
        variable: "SN_MCP_SANDBOX_FILE",
        message: expect.stringContaining("is not a VMS sandbox state file"),
      });
      expect(readFileSync(broken, "utf8")).toBe(text);
      expect(existsSync(`${broken}.lock`)).toBe(false);
    }
    await expect(runVastSandbox({ env: { SN_MCP_SANDBOX_FILE: dir } })).rejects.toMatchObject({ variable: "SN_MCP_SANDBOX_FILE" });
  });

  it("one sandbox per file: a second is refused, naming SN_MCP_SANDBOX_FILE, until the first closes", async () => {
    const first = await start();
    await expect(runVastSandbox({ env: { SN_MCP_SANDBOX_FILE: file } })).rejects.toMatchObject({
      variable: "SN_MCP_SANDBOX_FILE",
      message: expect.stringMatching(/in use by another sandbox \(process \d+\)/),
    });
    await first.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    await start();
  });
});

describe("node dist/cli.js vast sandbox, over stdio", () => {
  it("lists the four tools, shows ID.SECRET once, refuses a sixth token for one owner, asks before a revoke; a second process on the file is refused", { timeout: 30_000 }, async () => {
    const env = { PATH: process.env.PATH ?? "", SN_MCP_SANDBOX_FILE: file, SN_MCP_LOG_LEVEL: "warn" };
    const client = new Client({ name: "vast-sandbox-stdio", version: "0" }, { capabilities: { elicitation: { form: {} } } });
    const questions: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      questions.push(request.params.message);
      return { action: "accept", content: { allow: true } };
    });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, "vast", "sandbox"], env, stderr: "ignore" }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(VAST_TOOLS);
      const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

      // The server's own token is one of admin's five.
      const created = [];
      for (let n = 1; n <= 4; n++) created.push(await call("create_token", { name: `token ${n}`, expiresIn: "1D" }));
      expect(created.map((result) => Boolean(result.isError))).toEqual([false, false, false, false]);
      const [first] = created.map(createdOf);
      expect(first?.secret).toMatch(/^[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}$/);
      const listed = await call("list_tokens", {});
      expect(tokenIds(listed)).toHaveLength(5);
      expect(JSON.stringify(listed)).not.toContain(first?.secret);

      const sixth = await call("create_token", { name: "one too many" });
      expect(sixth.isError).toBe(true);
      expect(textOf(sixth)).toMatch(/Owner admin already has 5 of 5 valid tokens \(this server's own token is one of them\).*revoke one/);
      expect(storedTokens(file)).toHaveLength(5);

      // A second sandbox process on the same file stops at start-up with one line naming the variable.
      const second = spawnSync(process.execPath, [CLI, "vast", "sandbox"], { env, encoding: "utf8", input: "" });
      expect(second.status).toBe(2);
      expect(second.stderr).toMatch(/SN_MCP_SANDBOX_FILE.*in use by another sandbox/);

      const revoked = await call("revoke_token", { tokenId: first?.token.id });
      expect(revoked.isError).toBeFalsy();
      expect(questions).toEqual([expect.stringMatching(/^Revoke the VAST VMS API token/)]);
      expect(storedTokens(file).find((token) => token.id === first?.token.id)?.revoked).toBe(true);
    } finally {
      await client.close();
    }
  });
});
