import { spawnSync, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CLI, serveBinary } from "./support/binary.js";
import { gate } from "./support/harness.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";

// `npm test` builds first (pretest), so this drives the real binary.
const BEARER = "cli-test-bearer-0123456789abcdef0123456789";

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" });
}

describe("sn-tokens-mcp flags", () => {
  const credentials = { SN_TOKEN: "abc", SN_TOKEN_SECRET: "the-server-secret" };

  it("--http without SN_MCP_HTTP_TOKEN: exit 2, one line naming the variable", () => {
    const result = run(["--http"], credentials);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/SN_MCP_HTTP_TOKEN.*required with --http/);
  });

  it("refuses a short bearer, a bad port, --port without --http and unknown commands", () => {
    const short = run(["--http"], { ...credentials, SN_MCP_HTTP_TOKEN: "too-short" });
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/SN_MCP_HTTP_TOKEN.*at least 32/);
    const port = run(["--http", "--port", "http"], { ...credentials, SN_MCP_HTTP_TOKEN: BEARER });
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(/--port/);
    expect(run(["--port", "8808"], credentials).stderr).toMatch(/--host and --port go with --http/);
    expect(run(["serve"], credentials).status).toBe(2);
    expect(run(["sandbox", "extra"], credentials).status).toBe(2);
    expect(run(["sandbox", "--http"], {}).stderr).toMatch(/SN_MCP_HTTP_TOKEN.*required with --http/);
    expect(run(["--http", "--bearer", BEARER], credentials).status).toBe(2);
  });

  it("--help describes HTTP mode", () => {
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--http/);
    expect(help.stdout).toMatch(/SN_MCP_HTTP_TOKEN/);
    expect(help.stdout).toMatch(/SN_MCP_HTTP_ALLOWED_HOSTS/);
    expect(help.stdout).toMatch(/SN_MCP_HTTP_OAUTH_ISSUER/);
    // HTTP mode has sessions: the word would mislead.
    expect(help.stdout).not.toMatch(/stateless/i);
    expect(run(["-h"]).stdout).toBe(help.stdout);
    const version = run(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("operator flags", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sn-cli-flags-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function toolNames(args: string[], env: Record<string, string> = {}): Promise<string[]> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "sandbox", ...args],
      env: { PATH: process.env.PATH ?? "", SN_MCP_SANDBOX_FILE: join(dir, "sandbox.json"), ...env },
      stderr: "ignore",
    });
    const client = new Client({ name: "cli-flags-test", version: "0.0.0" });
    await client.connect(transport);
    try {
      return (await client.listTools()).tools.map((tool) => tool.name).sort();
    } finally {
      await client.close();
    }
  }

  it("--read-only, --tools and --exclude-tools mirror their variables, and beat them", async () => {
    expect(await toolNames(["--read-only"])).toEqual(["list_tokens", "review_tokens"]);
    expect(await toolNames(["--tools", "list_tokens,create_token"])).toEqual(["create_token", "list_tokens"]);
    expect(await toolNames(["--exclude-tools", "delete_token"], { SN_MCP_EXCLUDE_TOOLS: "list_tokens" })).toEqual([
      "create_token",
      "list_tokens",
      "retire_assistant_tokens",
      "review_tokens",
      "rotate_token",
      "update_token",
    ]);
  });

  it("an unknown tool name in a flag fails start-up with exit 2", () => {
    const result = run(["sandbox", "--tools", "list_tokens,drop_everything"], { SN_MCP_SANDBOX_FILE: join(dir, "sandbox.json") });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/drop_everything/);
  });
});

describe("node dist/cli.js --http", () => {
  let solarUser: LocalSolarUser;
  const children: ChildProcessByStdio<null, Readable, Readable>[] = [];
  beforeAll(async () => {
    solarUser = await startLocalSolarUser();
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  afterAll(async () => {
    await solarUser.close();
  });

  /** Starts the binary; resolves once it logs its URL. */
  async function serve(admin: { id: string; secret: string }, args: string[] = ["--port", "0"]) {
    const env = { SN_URL: solarUser.url, SN_TOKEN: admin.id, SN_TOKEN_SECRET: admin.secret, SN_MCP_HTTP_TOKEN: BEARER, SN_MCP_LOG_LEVEL: "debug" };
    const server = await serveBinary(["--http", ...args], env);
    children.push(server.child);
    return server;
  }

  it("serves MCP with the bearer; SIGTERM lets the call in flight finish, then exits 0", async () => {
    const admin = solarUser.seedToken({ type: "User", userId: 31 });
    const server = await serve(admin);
    const client = new Client({ name: "cli-http-test", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${BEARER}` } } }));
    expect((await client.listTools()).tools).toHaveLength(7);

    const release = gate();
    solarUser.injectFault({ kind: "hold", release: release.promise, match: { method: "GET", pathEndsWith: `${TOKENS_PATH}/find` } });
    const seen = solarUser.requests.length;
    const call = client.callTool({ name: "list_tokens", arguments: {} }) as Promise<CallToolResult>;
    // A process on a loaded machine may take seconds: the waits allow the test's whole time.
    const patiently = { timeout: 20_000, interval: 20 };
    await vi.waitFor(() => expect(solarUser.requests.slice(seen).some((q) => q.path.endsWith("/find"))).toBe(true), patiently);
    server.child.kill("SIGTERM");
    // Released only once the server has begun shutting down, with the call still in flight.
    await vi.waitFor(() => expect(server.output.stderr).toContain('"message":"shutting down"'), patiently);
    release.resolve();
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(await server.exited).toBe(0);
    await client.close();

    expect(server.output.stdout).toBe("");
    expect(server.output.stderr).toContain('"message":"shutting down","signal":"SIGTERM"');
    expect(server.output.stderr).toMatch(/"message":"HTTP shutdown complete","drained":true/);
    expect(server.output.stderr).not.toContain(BEARER);
    expect(server.output.stderr).not.toContain(admin.secret);
  });

  it("sandbox --http: the embedded simulator, served over HTTP with the bearer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sn-mcp-cli-sandbox-"));
    try {
      const { child, url, output, exited } = await serveBinary(["sandbox", "--http", "--port", "0"], {
        SN_MCP_SANDBOX_FILE: join(dir, "tokens.json"),
        SN_MCP_HTTP_TOKEN: BEARER,
      });
      children.push(child);
      const client = new Client({ name: "cli-sandbox-test", version: "0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${BEARER}` } } }));
      const listed = (await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult;
      expect(listed.isError).toBeFalsy();
      expect(JSON.stringify(listed).toLowerCase()).toContain("sandbox");
      await client.close();
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(output.stderr).not.toContain(BEARER);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 with a clear line when the port is taken", async () => {
    const admin = solarUser.seedToken({ type: "User", userId: 32 });
    const first = await serve(admin);
    const port = new URL(first.url).port;
    const second = run(["--http", "--port", port], {
      SN_URL: solarUser.url,
      SN_TOKEN: admin.id,
      SN_TOKEN_SECRET: admin.secret,
      SN_MCP_HTTP_TOKEN: BEARER,
      SN_MCP_LOG_LEVEL: "warn",
    });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`--port ${port}: .* already in use`));
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
  });
});

describe("node dist/demo.js (the README's first command)", () => {
  it("runs create, list, update, disable and delete against the sandbox, and exits 0", () => {
    const demo = fileURLToPath(new URL("../dist/demo.js", import.meta.url));
    const result = spawnSync(process.execPath, [demo], { env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const steps = [...result.stdout.matchAll(/^> (\w+)/gm)].map((match) => match[1]);
    expect(steps).toEqual(["create_token", "list_tokens", "update_token", "update_token", "delete_token", "list_tokens"]);
    expect(result.stdout).toContain("[SANDBOX]");
  });
});

describe("node dist/demo.js vast (npm run demo -- vast)", () => {
  it("runs create, list, update and revoke against the VMS sandbox, and exits 0", () => {
    const demo = fileURLToPath(new URL("../dist/demo.js", import.meta.url));
    const result = spawnSync(process.execPath, [demo, "vast"], { env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const steps = [...result.stdout.matchAll(/^> (\w+)/gm)].map((match) => match[1]);
    expect(steps).toEqual(["create_token", "list_tokens", "update_token", "revoke_token", "list_tokens"]);
    expect(result.stdout).toContain("[SANDBOX] A local VAST VMS simulator answered");
    expect(result.stdout).toMatch(/Revoked/);
  });
});

describe("sn-tokens-mcp vast", () => {
  it("refuses a missing VAST_URL and SolarNetwork-only settings: exit 2, one line naming the variable", () => {
    const missing = run(["vast"], { VAST_API_TOKEN: "AbCdEf12.secretsecretsecret" });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/VAST_URL/);
    const types = run(["vast"], { VAST_URL: "https://vms.example.com", VAST_API_TOKEN: "AbCdEf12.secretsecretsecret", SN_MCP_TOKEN_TYPES: "User" });
    expect(types.status).toBe(2);
    expect(types.stderr).toMatch(/SN_MCP_TOKEN_TYPES/);
    expect(types.stderr).not.toContain("secretsecretsecret");
    const sandboxTypes = run(["vast", "sandbox"], { SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS: "false" });
    expect(sandboxTypes.status).toBe(2);
    expect(sandboxTypes.stderr).toMatch(/SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS/);
    expect(run(["sandbox", "vast"]).stderr).toMatch(/unknown command "sandbox vast"/);
  });

  it("--help names the vast commands and their variables", () => {
    const help = run(["--help"]);
    expect(help.stdout).toMatch(/"vast" serves VAST VMS API tokens/);
    expect(help.stdout).toMatch(/VAST_ALLOWED_OWNERS/);
  });
});

