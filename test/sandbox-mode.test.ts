import { dirname } from "node:path";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../src/config.js";
import { SANDBOX_META_KEY, SANDBOX_PREFIX } from "../src/sandbox/label.js";
import { solarNetworkPlugin } from "../src/backends/solarnetwork/plugin.js";
import { SANDBOX_ADMIN_NAME } from "../src/backends/solarnetwork/sandbox.js";
import { runSandbox as runBackendSandbox, sandboxFile, type Sandbox, type SandboxOptions } from "../src/sandbox/run.js";
import { jsonFileTokenStore } from "../src/simulators/solarnetwork/store.js";
import { textOf } from "./support/harness.js";

const DEFAULT_SANDBOX_FILE_NAME = solarNetworkPlugin.sandbox!.fileName;
const runSandbox = (options: SandboxOptions) => runBackendSandbox(solarNetworkPlugin, options);

/** Sandbox mode through a real MCP client: labelled results, a persistent 0600 token file, restarts. */

interface Connected {
  sandbox: Sandbox;
  client: Client;
  logs: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

let dir: string;
let file: string;
const open: Connected[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sn-sandbox-mode-"));
  file = join(dir, "state", "sandbox.json");
});

afterEach(async () => {
  for (const connected of open.splice(0)) await connected.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, options: Partial<SandboxOptions> = {}): Promise<Connected> {
  const logs: string[] = [];
  const sandbox = await runSandbox({
    env: { SN_MCP_SANDBOX_FILE: file, SN_MCP_LOG_LEVEL: "debug", ...env },
    overrides: { writeLog: (line) => logs.push(line) },
    ...options,
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await sandbox.app.server.connect(serverTransport);
  const client = new Client({ name: "sandbox-mode-tests", version: "0.0.0" });
  await client.connect(clientTransport);
  let closed = false;
  const connected: Connected = {
    sandbox,
    client,
    logs,
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

const tokensOf = (result: CallToolResult) => (result.structuredContent as { tokens: { id: string; name?: string }[] }).tokens;
const storedTokens = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { tokens: { id: string; name?: string; secret: string }[] }).tokens;

function reachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: "GET" }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once("error", () => resolve(false));
    req.end();
  });
}

describe("runSandbox", () => {
  it("serves the tools against a local SolarUser on 127.0.0.1, every tool and result labelled as a sandbox", async () => {
    const first = await start();
    expect(first.sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.sandbox.file).toBe(file);
    const { tools } = await first.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["create_token", "delete_token", "list_tokens", "retire_assistant_tokens", "review_tokens", "rotate_token", "update_token"]);
    for (const tool of tools) {
      expect(tool.description).toMatch(/^\[SANDBOX: a local SolarNetwork simulator/);
      expect(tool.title).toMatch(/\(sandbox\)$/);
    }
    const created = await first.call("create_token", { type: "ReadNodeData", name: "sandboxed", nodeIds: [1] });
    expect(created.isError).toBeFalsy();
    expect(textOf(created).startsWith(SANDBOX_PREFIX)).toBe(true);
    expect(created._meta?.[SANDBOX_META_KEY]).toBe(true);
    // The label is a block of its own: the result's JSON text still parses.
    const createdJson = created.content[1];
    expect(createdJson?.type === "text" && JSON.parse(createdJson.text)).toMatchObject({ token: { name: "sandboxed" } });
    const listed = await first.call("list_tokens", { displayMode: "pretty" });
    expect(textOf(listed).startsWith(SANDBOX_PREFIX)).toBe(true);
    const failed = await first.call("delete_token", { tokenId: "NO_SUCH_TOKEN_ID_X1" });
    expect(failed.isError).toBe(true);
    expect(textOf(failed).startsWith(SANDBOX_PREFIX)).toBe(true);
    expect(failed._meta?.[SANDBOX_META_KEY]).toBe(true);
    const invalid = await first.call("create_token", { type: "NoSuchType" });
    expect(textOf(invalid).startsWith(SANDBOX_PREFIX)).toBe(true);
    expect(first.client.getInstructions()).toMatch(/SANDBOX/);
    // The server's own token is there, unrestricted, with its marking name; its secret never shows.
    const admin = tokensOf(listed).find((token) => token.id === first.sandbox.adminTokenId);
    expect(admin?.name).toBe(SANDBOX_ADMIN_NAME);
    const adminSecret = storedTokens(file).find((token) => token.id === first.sandbox.adminTokenId)?.secret as string;
    expect([textOf(listed), JSON.stringify(listed.structuredContent), ...first.logs].join("\n")).not.toContain(adminSecret);
    expect(first.logs.join("")).toContain('"message":"sandbox: a local SolarUser simulator, no SolarNetwork account"');
  });

  it("keeps tokens across restarts in the same 0600 file, reusing the seeded credential", async () => {
    const first = await start();
    const created = await first.call("create_token", { type: "ReadNodeData", name: "survives restarts", nodeIds: [7] });
    const id = (created.structuredContent as { token: { id: string } }).token.id;
    const adminId = first.sandbox.adminTokenId;
    await first.close();
    if (process.platform !== "win32") {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "state")).mode & 0o777).toBe(0o700);
    }

    const second = await start();
    expect(second.sandbox.adminTokenId).toBe(adminId);
    expect(second.logs.join("")).toContain('"seeded":false');
    const listed = await second.call("list_tokens", {});
    expect(tokensOf(listed).find((token) => token.id === id)?.name).toBe("survives restarts");
    expect(storedTokens(file)).toHaveLength(2);
    // And a change made now survives the next restart too.
    expect((await second.call("delete_token", { tokenId: id })).isError).toBeFalsy();
    await second.close();
    const third = await start();
    expect(tokensOf(await third.call("list_tokens", {})).map((token) => token.id)).toEqual([adminId]);
  });

  it("tightens a token file someone made readable by others", async () => {
    if (process.platform === "win32") return;
    await (await start()).close();
    chmodSync(file, 0o644);
    await start();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("seeds a new credential when the old one was deleted through the tools", async () => {
    const first = await start();
    const oldAdmin = first.sandbox.adminTokenId;
    expect((await first.call("delete_token", { tokenId: oldAdmin })).isError).toBeFalsy();
    // The server's own token is gone: this process can no longer sign in; the result still says sandbox.
    expect((await first.call("list_tokens", {})).isError).toBe(true);
    await first.close();
    const second = await start();
    expect(second.sandbox.adminTokenId).not.toBe(oldAdmin);
    expect((await second.call("list_tokens", {})).isError).toBeFalsy();
  });

  it("takes the rest of the configuration from the environment (secret delivery, read-only)", async () => {
    const secretDir = join(dir, "secrets");
    const delivering = await start({ SN_MCP_SECRET_DELIVERY: "file", SN_MCP_SECRET_DIR: secretDir });
    const created = await delivering.call("create_token", { type: "ReadNodeData", nodeIds: [1] });
    const structured = created.structuredContent as { secret?: string; secretFile?: string };
    expect(structured.secret).toBeUndefined();
    expect(structured.secretFile && existsSync(structured.secretFile)).toBe(true);
    await delivering.close();

    const readOnly = await start({ SN_MCP_READ_ONLY: "true" });
    expect((await readOnly.client.listTools()).tools.map((tool) => tool.name)).toEqual(["list_tokens", "review_tokens"]);
  });

  it("ignores SolarNetwork account settings in the environment, and says so", async () => {
    const connected = await start({
      SN_URL: "https://data.solarnetwork.net",
      SN_TOKEN: "a-real-token-id",
      SN_TOKEN_SECRET: "a-real-token-secret",
    });
    expect((await connected.call("list_tokens", {})).isError).toBeFalsy();
    const warning = connected.logs.find((line) => line.includes("sandbox mode ignores"));
    expect(warning).toContain('"ignored":["SN_URL","SN_TOKEN","SN_TOKEN_SECRET"]');
    expect(connected.logs.join("\n")).not.toContain("a-real-token-secret");
  });

  it("app.close() stops the local SolarUser too", async () => {
    const connected = await start();
    const url = connected.sandbox.url;
    expect(await reachable(url)).toBe(true);
    await connected.close();
    expect(await reachable(url)).toBe(false);
  });

  it("refuses a token file that is not a sandbox file, naming SN_MCP_SANDBOX_FILE", async () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    await expect(runSandbox({ env: { SN_MCP_SANDBOX_FILE: broken } })).rejects.toMatchObject({
      name: "ConfigError",
      variable: "SN_MCP_SANDBOX_FILE",
    });
    writeFileSync(broken, JSON.stringify({ something: "else" }));
    await expect(runSandbox({ env: { SN_MCP_SANDBOX_FILE: broken } })).rejects.toBeInstanceOf(ConfigError);
    await expect(runSandbox({ env: { SN_MCP_SANDBOX_FILE: dir } })).rejects.toMatchObject({ variable: "SN_MCP_SANDBOX_FILE" });
  });

  it("one sandbox process per file: a second is refused until the first closes; a dead owner's lock is taken over", async () => {
    const first = await start();
    await expect(runSandbox({ env: { SN_MCP_SANDBOX_FILE: file } })).rejects.toMatchObject({
      variable: "SN_MCP_SANDBOX_FILE",
      message: expect.stringMatching(/in use by another sandbox \(process \d+\)/),
    });
    await first.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    writeFileSync(`${file}.lock`, "999999999"); // no such process
    const second = await start();
    expect(JSON.parse(readFileSync(`${file}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
    await second.close();
  });

  it.runIf(process.platform === "linux")("takes over a lock whose process ID now belongs to another program", async () => {
    const unrelated = spawn("sleep", ["30"]);
    try {
      await new Promise((resolve) => unrelated.once("spawn", resolve));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.lock`, JSON.stringify({ pid: unrelated.pid, command: "node dist/cli.js sandbox" }));
      const taken = await start();
      expect(JSON.parse(readFileSync(`${file}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
      await taken.close();
    } finally {
      unrelated.kill();
    }
  });

  it("refuses a file it cannot create, naming SN_MCP_SANDBOX_FILE", async () => {
    const plain = join(dir, "plain-file");
    writeFileSync(plain, "");
    await expect(runSandbox({ env: { SN_MCP_SANDBOX_FILE: join(plain, "sub", "tokens.json") } })).rejects.toMatchObject({
      name: "ConfigError",
      variable: "SN_MCP_SANDBOX_FILE",
    });
  });

  it("a change the file cannot take is undone in memory too", () => {
    const path = join(dir, "store.json");
    const store = jsonFileTokenStore(path);
    const token = { id: "kept", secret: "s", userId: 1, type: "User" as const, status: "Active" as const, created: 1 };
    store.put(token);
    rmSync(path);
    mkdirSync(join(path, "blocker"), { recursive: true }); // the rename onto `path` now fails
    expect(() => store.put({ ...token, id: "lost" })).toThrow();
    expect(store.get("lost")).toBeUndefined();
    expect(() => store.delete("kept")).toThrow();
    expect(store.get("kept")).toMatchObject({ id: "kept" });
  });

  it("refuses a bad setting, naming its variable, and leaves nothing running", async () => {
    await expect(runSandbox({ env: { SN_MCP_SANDBOX_FILE: file, SN_MCP_SECRET_DELIVERY: "email" } })).rejects.toMatchObject({
      variable: "SN_MCP_SECRET_DELIVERY",
    });
  });

  it("the file option beats SN_MCP_SANDBOX_FILE, which beats the per-user default", () => {
    const other = join(dir, "other.json");
    expect(sandboxFile({ SN_MCP_SANDBOX_FILE: file }, DEFAULT_SANDBOX_FILE_NAME, other)).toBe(other);
    expect(sandboxFile({ SN_MCP_SANDBOX_FILE: file }, DEFAULT_SANDBOX_FILE_NAME)).toBe(file);
    if (process.platform === "linux") {
      expect(sandboxFile({ XDG_STATE_HOME: dir }, DEFAULT_SANDBOX_FILE_NAME)).toBe(join(dir, "sn-tokens-mcp", DEFAULT_SANDBOX_FILE_NAME));
    }
  });

  it("uses the per-user default file when none is given", async () => {
    if (process.platform !== "linux") return;
    const logs: string[] = [];
    const sandbox = await runSandbox({ env: { XDG_STATE_HOME: dir }, overrides: { writeLog: (line) => logs.push(line) } });
    try {
      expect(sandbox.file).toBe(join(dir, "sn-tokens-mcp", DEFAULT_SANDBOX_FILE_NAME));
      expect(existsSync(sandbox.file)).toBe(true);
    } finally {
      await sandbox.app.close();
    }
  });
});
