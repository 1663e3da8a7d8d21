import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { gate } from "./support/harness.js";

// `npm test` builds first (pretest), so this drives the real binary.
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe("node dist/cli.js over stdio", () => {
  let solarUser: LocalSolarUser;
  beforeAll(async () => {
    solarUser = await startLocalSolarUser();
  });
  afterAll(async () => {
    await solarUser.close();
  });

  it("serves the tools, keeps stdout for the protocol and logs no secret", async () => {
    const admin = solarUser.seedToken({ type: "User", userId: 9 });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: { PATH: process.env.PATH ?? "", SN_URL: solarUser.url, SN_TOKEN: admin.id, SN_TOKEN_SECRET: admin.secret, SN_MCP_LOG_LEVEL: "debug" },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "stdio-test", version: "0" });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(7);
    const created = await client.callTool({ name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [1] } });
    const secret = (created.structuredContent as { secret: string }).secret;
    expect(secret).toBeTruthy();
    await client.close();
    expect(stderr).toContain("serving MCP on stdio");
    expect(stderr).not.toContain(admin.secret);
    expect(stderr).not.toContain(secret);
  });

  it("loads the HTTP client the first call needs before any call, while the session starts", async () => {
    const admin = solarUser.seedToken({ type: "User", userId: 11 });
    // Reports each import of undici on stderr; the hook runs on its own thread, so it writes to the descriptor.
    const hook = `data:text/javascript,${encodeURIComponent(`
import { writeSync } from "node:fs";
export async function resolve(specifier, context, next) {
  if (/^undici(\\/|$)/.test(specifier)) writeSync(2, "IMPORTED " + specifier + "\\n");
  return next(specifier, context);
}`)}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(hook)});`)}`;
    const server = spawn(process.execPath, ["--import", register, CLI], {
      env: { PATH: process.env.PATH ?? "", SN_URL: solarUser.url, SN_TOKEN: admin.id, SN_TOKEN_SECRET: admin.secret },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
    let stderr = "";
    server.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let stdout = "";
    server.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const send = (message: object) => server.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
    send({ id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } } });
    send({ method: "notifications/initialized" });
    send({ id: 2, method: "tools/list" });
    await vi.waitFor(() => expect(stdout).toContain('"id":2'), { timeout: 20_000 });
    server.stdin.end();
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/^IMPORTED undici$/m);
    expect(stdout).not.toContain("tools/call");
  });

  for (const how of ["stdin closed", "SIGTERM"] as const) {
    it(`exiting (${how}) with a create in flight waits for it and deletes the token whose secret no one can receive`, async () => {
      const admin = solarUser.seedToken({ type: "User", userId: 10 });
      const server = spawn(process.execPath, [CLI], {
        env: { PATH: process.env.PATH ?? "", SN_URL: solarUser.url, SN_TOKEN: admin.id, SN_TOKEN_SECRET: admin.secret },
        stdio: ["pipe", "pipe", "pipe"],
      });
      const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
      let stderr = "";
      server.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const release = gate();
      solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "hold", release: release.promise });
      const before = solarUser.requests.length;
      const send = (message: object) => server.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
      send({ id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } } });
      send({ method: "notifications/initialized" });
      send({ id: 2, method: "tools/call", params: { name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" } } });
      // A process starting on a loaded machine may take seconds: the waits allow the test's whole time.
      const patiently = { timeout: 20_000, interval: 20 };
      await vi.waitFor(() => expect(solarUser.requests.slice(before).some((r) => r.path.endsWith("/generate/ReadNodeData"))).toBe(true), patiently);
      if (how === "SIGTERM") server.kill("SIGTERM");
      else server.stdin.end();
      // SolarNetwork answers only once the server is shutting down: the create's reply then has no one to go to.
      await vi.waitFor(() => expect(stderr).toContain("shutting down"), patiently);
      release.resolve();
      expect(await exited).toBe(0);
      const deletes = solarUser.requests.slice(before).filter((r) => r.method === "DELETE");
      expect(deletes.map((r) => r.status)).toEqual([200]);
    });
  }

  it("exits 2 with one line naming the variable on a bad configuration", () => {
    const run = spawnSync(process.execPath, [CLI], {
      env: { PATH: process.env.PATH ?? "", SN_TOKEN: "abc", SN_TOKEN_SECRET: "x", SN_MCP_TIMEOUT_MS: "soon" },
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/SN_MCP_TIMEOUT_MS/);
  });

  it("refuses credentials given as flags", () => {
    const run = spawnSync(process.execPath, [CLI, "--token-secret", "abc"], { encoding: "utf8" });
    expect(run.status).toBe(2);
  });
});
