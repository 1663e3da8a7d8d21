import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type App } from "../src/compose.js";
import { composeApp } from "./support/harness.js";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { bearerChecker, buildAllowList, isAllowedHost, isAllowedOrigin } from "../src/http/checks.js";
import { startHttpMode, type HttpMode } from "../src/http/mode.js";
import { readHttpOptions } from "../src/http/options.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";
import { configError, gate, serverEnv } from "./support/harness.js";

const BEARER = "test-bearer-0123456789abcdef0123456789abcdef";
const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
const FIND_PATH = `${TOKENS_PATH}/find`;
const PING = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });

interface Running {
  solarUser: LocalSolarUser;
  admin: { id: string; secret: string };
  app: App;
  mode: HttpMode;
  url: URL;
  logs: string[];
  client(headers?: Record<string, string>): Promise<Client>;
  close(): Promise<void>;
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

interface StartOptions {
  /** HTTP settings (SN_MCP_HTTP_*). */
  http?: Record<string, string>;
  /** Other configuration. */
  config?: Record<string, string>;
  shutdownGraceMs?: number;
}

async function start({ http = {}, config: configEnv = {}, shutdownGraceMs }: StartOptions = {}): Promise<Running> {
  const solarUser = await startLocalSolarUser();
  const admin = solarUser.seedToken({ type: "User", userId: 123 });
  const config = readConfig(serverEnv(solarUser, admin, configEnv));
  const logs: string[] = [];
  const app = composeApp(config, { writeLog: (line) => logs.push(line), retryDelayMs: () => 0 });
  const options = readHttpOptions({ SN_MCP_HTTP_TOKEN: BEARER, ...http }, { port: "0" });
  if (shutdownGraceMs !== undefined) options.shutdownGraceMs = shutdownGraceMs;
  const mode = await startHttpMode(app, options);
  const clients: Client[] = [];
  const r: Running = {
    solarUser,
    admin,
    app,
    mode,
    url: new URL(mode.url),
    logs,
    async client(headers = { Authorization: `Bearer ${BEARER}` }) {
      const client = new Client({ name: "http-test", version: "0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(mode.url), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await mode.shutdown(0);
      await solarUser.close();
    },
  };
  running.push(r);
  return r;
}

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP/1.1 request, so that Host and every other header are exactly as given. */
function raw(url: URL, init: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: init.method ?? "POST", path: init.path ?? url.pathname, headers: init.headers, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    if (init.body !== undefined && init.chunked) {
      // No Content-Length: the size is only known by reading.
      const body = Buffer.from(init.body);
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
      req.end();
    } else {
      req.end(init.body);
    }
  });
}

const authorized = (extra: Record<string, string> = {}) => ({ ...JSON_HEADERS, Authorization: `Bearer ${BEARER}`, ...extra });

describe("HTTP mode (Streamable HTTP at /mcp)", () => {
  it("serves tools/list and a create through the SDK's HTTP client, logging no secret", async () => {
    const r = await start();
    const client = await r.client();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["create_token", "delete_token", "list_tokens", "retire_assistant_tokens", "review_tokens", "rotate_token", "update_token"]);

    const created = (await client.callTool({ name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [7] } })) as CallToolResult;
    expect(created.isError).toBeFalsy();
    const { token, secret } = created.structuredContent as { token: { id: string }; secret: string };
    expect(secret).toBeTruthy();
    const listed = (await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult;
    const ids = (listed.structuredContent as { tokens: { id: string }[] }).tokens.map((t) => t.id);
    expect(ids).toContain(token.id);
    expect(JSON.stringify(listed)).not.toContain(secret);

    const logText = r.logs.join("");
    expect(logText).toContain("serving MCP over HTTP");
    expect(logText).toContain('"message":"HTTP request"');
    for (const hidden of [BEARER, r.admin.secret, secret]) expect(logText).not.toContain(hidden);
  });

  it("answers concurrent requests with the same JSON-RPC id each on their own", async () => {
    const r = await start();
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        raw(r.url, { headers: authorized(), body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) }),
      ),
    );
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).result.tools).toHaveLength(7);
    }
  });

  it("cannot ask a person through a client without elicitation, so SN_MCP_WITHOUT_ELICITATION decides", async () => {
    const r = await start({ config: { SN_MCP_WITHOUT_ELICITATION: "refuse" } });
    const victim = r.solarUser.seedToken({ type: "ReadNodeData" });
    const client = await r.client();
    const refused = (await client.callTool({ name: "delete_token", arguments: { tokenId: victim.id } })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toMatch(/SN_MCP_WITHOUT_ELICITATION/);
    expect(r.solarUser.requests.some((q) => q.method === "DELETE")).toBe(false);
  });

  // Each session (and each request outside one) gets an MCP server of its own; the buckets must be the process's.
  it("rate limits hold across HTTP requests", async () => {
    const r = await start({ config: { SN_MCP_RATE_LIMIT_READS: "2" } });
    const clients = [await r.client(), await r.client(), await r.client()];
    const results: CallToolResult[] = [];
    for (const client of clients) results.push((await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult);
    expect(results.map((result) => Boolean(result.isError))).toEqual([false, false, true]);
  });

  describe("authentication", () => {
    it("401 with WWW-Authenticate: Bearer when the bearer is missing", async () => {
      const r = await start();
      const reply = await raw(r.url, { headers: JSON_HEADERS, body: PING });
      expect(reply.status).toBe(401);
      expect(reply.headers["www-authenticate"]).toMatch(/^Bearer realm=/);
      expect(JSON.parse(reply.body).error.message).toMatch(/Authorization: Bearer/);
      expect(r.solarUser.requests).toHaveLength(0);
    });

    it("401 with error=invalid_token for a wrong bearer, of any length or scheme", async () => {
      const r = await start();
      const wrong = [`Bearer ${BEARER.slice(0, -1)}x`, `Bearer ${BEARER}x`, "Bearer short", `Basic ${BEARER}`, BEARER];
      for (const authorization of wrong) {
        const reply = await raw(r.url, { headers: { ...JSON_HEADERS, Authorization: authorization }, body: PING });
        expect(reply.status, authorization).toBe(401);
        expect(reply.headers["www-authenticate"]).toMatch(/^Bearer .*error="invalid_token"/);
      }
      const logText = r.logs.join("");
      expect(logText).toContain("refused: wrong bearer");
      expect(logText).not.toContain(BEARER.slice(0, 20));
    });

    it("the SDK client without the bearer cannot connect", async () => {
      const r = await start();
      await expect(r.client({})).rejects.toThrow(/401|Unauthorized/i);
      await expect(r.client({ Authorization: "Bearer not-the-right-secret-but-long-enough-000" })).rejects.toThrow(/401|Unauthorized/i);
    });

    it("accepts the scheme in any case", async () => {
      const r = await start();
      const reply = await raw(r.url, { headers: { ...JSON_HEADERS, Authorization: `bearer ${BEARER}` }, body: PING });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ jsonrpc: "2.0", id: 1, result: {} });
    });
  });

  describe("DNS-rebinding protection", () => {
    it("403 for a Host that is not this server, before any authentication", async () => {
      const r = await start();
      for (const host of ["evil.example.com", `evil.example.com:${r.url.port}`, "127.0.0.1:1", `127.0.0.2:${r.url.port}`]) {
        const reply = await raw(r.url, { headers: authorized({ Host: host }), body: PING });
        expect(reply.status, host).toBe(403);
        expect(JSON.parse(reply.body).error.message).toMatch(/Host/);
      }
      expect(r.logs.join("")).toContain("Host not allowed");
    });

    it("403 for an Origin that is not allowed, even with the right bearer", async () => {
      const r = await start();
      for (const origin of ["http://evil.example.com", `http://evil.example.com:${r.url.port}`, "null", `https://127.0.0.1:${r.url.port}`]) {
        const reply = await raw(r.url, { headers: authorized({ Origin: origin }), body: PING });
        expect(reply.status, origin).toBe(403);
        expect(JSON.parse(reply.body).error.message).toMatch(/Origin/);
      }
    });

    it("accepts the loopback names on its port, with or without an Origin", async () => {
      const r = await start();
      for (const name of ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"]) {
        const host = `${name}:${r.url.port}`;
        const withOrigin = await raw(r.url, { headers: authorized({ Host: host, Origin: `http://${host}` }), body: PING });
        expect(withOrigin.status, host).toBe(200);
        expect(withOrigin.headers["access-control-allow-origin"]).toBe(`http://${host}`);
        const without = await raw(r.url, { headers: authorized({ Host: host }), body: PING });
        expect(without.status, host).toBe(200);
      }
    });

    it("accepts the operator's extra hosts and origins", async () => {
      const r = await start({
        http: { SN_MCP_HTTP_ALLOWED_HOSTS: "mcp.example.com, proxy.local:9443", SN_MCP_HTTP_ALLOWED_ORIGINS: "https://app.example.com" },
      });
      const ok: Record<string, string>[] = [
        { Host: "mcp.example.com" },
        { Host: "MCP.example.com:443" },
        { Host: "proxy.local:9443", Origin: "https://app.example.com" },
        { Host: `localhost:${r.url.port}`, Origin: "https://APP.example.com:443" },
      ];
      for (const headers of ok) expect((await raw(r.url, { headers: authorized(headers), body: PING })).status, JSON.stringify(headers)).toBe(200);
      const refused: Record<string, string>[] = [{ Host: "proxy.local:9444" }, { Host: "proxy.local" }, { Host: "mcp.example.com", Origin: "https://app.example.com:8443" }];
      for (const headers of refused) expect((await raw(r.url, { headers: authorized(headers), body: PING })).status, JSON.stringify(headers)).toBe(403);
    });

    it("answers a CORS preflight from an allowed origin only", async () => {
      const r = await start({ http: { SN_MCP_HTTP_ALLOWED_ORIGINS: "https://app.example.com" } });
      const preflight = await raw(r.url, {
        method: "OPTIONS",
        headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers["access-control-allow-origin"]).toBe("https://app.example.com");
      expect(preflight.headers["access-control-allow-headers"]).toMatch(/Authorization/);
      const evil = await raw(r.url, { method: "OPTIONS", headers: { Origin: "https://evil.example.com" } });
      expect(evil.status).toBe(403);
      expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    });
  });

  describe("requests", () => {
    it("413 for a body over 1 MiB, declared or not", async () => {
      const r = await start();
      const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(1024 * 1024) } });
      const declared = await raw(r.url, { headers: authorized(), body: big });
      expect(declared.status).toBe(413);
      const chunked = await raw(r.url, { headers: authorized(), body: big, chunked: true });
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.body).error.message).toMatch(/1048576 bytes/);
      // The server is still there.
      expect((await raw(r.url, { headers: authorized(), body: PING })).status).toBe(200);
    });

    it("405 for GET (no stream to open) and other methods; 400 for a DELETE that names no session", async () => {
      const r = await start();
      for (const method of ["GET", "PUT"]) {
        const reply = await raw(r.url, { method, headers: authorized() });
        expect(reply.status, method).toBe(405);
        expect(reply.headers.allow).toBe("POST, DELETE");
      }
      const deleted = await raw(r.url, { method: "DELETE", headers: authorized() });
      expect(deleted.status).toBe(400);
      expect(JSON.parse(deleted.body).error.message).toMatch(/Mcp-Session-Id/);
    });

    it("404 for any other path, 400 for a body that is not JSON", async () => {
      const r = await start();
      for (const path of ["/", "/mcp/", "/MCP", "/sse", "/.well-known/oauth-protected-resource"]) {
        expect((await raw(r.url, { path, headers: authorized(), body: PING })).status, path).toBe(404);
      }
      expect((await raw(r.url, { path: "/mcp?x=1", headers: authorized(), body: PING })).status).toBe(200);
      const bad = await raw(r.url, { headers: authorized(), body: "{not json" });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).error.code).toBe(-32700);
    });
  });

  describe("shutdown", () => {
    it("stops accepting at once, finishes the call in flight, then closes", async () => {
      const r = await start();
      const client = await r.client();
      const release = gate();
      r.solarUser.injectFault({ kind: "hold", release: release.promise, match: { method: "GET", pathEndsWith: FIND_PATH } });
      const seen = r.solarUser.requests.length;
      const call = client.callTool({ name: "list_tokens", arguments: {} }) as Promise<CallToolResult>;
      // The call has reached SolarUser, which holds its reply.
      await vi.waitFor(() => expect(r.solarUser.requests.slice(seen).some((q) => q.path.endsWith(FIND_PATH))).toBe(true), { timeout: 20_000 });
      expect(r.mode.listener.inFlight).toBe(1);

      const stopping = r.mode.shutdown();
      await expect(raw(r.url, { headers: authorized(), body: PING })).rejects.toMatchObject({ code: "ECONNREFUSED" });
      expect(r.mode.listener.inFlight).toBe(1);
      release.resolve();
      const result = await call;
      expect(result.isError).toBeFalsy();
      expect((result.structuredContent as { tokens: unknown[] }).tokens.length).toBeGreaterThan(0);
      await stopping;
      expect(r.mode.listener.inFlight).toBe(0);
      const logText = r.logs.join("");
      expect(logText).toMatch(/"message":"HTTP shutdown complete","drained":true/);
    });

    it("cuts a call still running when the grace period ends", async () => {
      const r = await start({ shutdownGraceMs: 30 });
      const release = gate();
      r.solarUser.injectFault({ kind: "hold", release: release.promise, match: { method: "GET", pathEndsWith: FIND_PATH } });
      const seen = r.solarUser.requests.length;
      // A stateless call, so that the cut fails its request (a session's SSE stream cut leaves the SDK client waiting).
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "list_tokens", arguments: {} } });
      const call = raw(r.url, { headers: authorized(), body });
      await vi.waitFor(() => expect(r.solarUser.requests.slice(seen).some((q) => q.path.endsWith(FIND_PATH))).toBe(true), { timeout: 20_000 });
      const failed = expect(call).rejects.toThrow();
      await r.mode.shutdown();
      await failed;
      release.resolve();
      expect(r.logs.join("")).toMatch(/"message":"HTTP shutdown complete","drained":false/);
    });
  });
});

describe("HTTP options", () => {
  const read = (env: Record<string, string>, flags = {}) => readHttpOptions(env, flags, ["the-server-secret-the-server-secret"]);

  it("defaults to 127.0.0.1:8808 and requires a long SN_MCP_HTTP_TOKEN", () => {
    const options = read({ SN_MCP_HTTP_TOKEN: BEARER });
    expect(options).toMatchObject({ host: "127.0.0.1", port: 8808, token: BEARER, allowedHosts: [], allowedOrigins: [], maxBodyBytes: 1048576 });
    expect(configError(() => read({})).variable).toBe("SN_MCP_HTTP_TOKEN");
    expect(configError(() => read({ SN_MCP_HTTP_TOKEN: "x".repeat(31) })).message).toMatch(/at least 32/);
    expect(configError(() => read({ SN_MCP_HTTP_TOKEN: `${"x".repeat(32)} y` })).variable).toBe("SN_MCP_HTTP_TOKEN");
    expect(configError(() => read({ SN_MCP_HTTP_TOKEN: "the-server-secret-the-server-secret" })).message).toMatch(/not a credential this server signs in with/);
  });

  it("checks the flags and the allow-lists", () => {
    const env = { SN_MCP_HTTP_TOKEN: BEARER };
    expect(read(env, { host: "::1", port: "0" })).toMatchObject({ host: "::1", port: 0 });
    expect(read(env, { host: "[::1]" }).host).toBe("::1");
    for (const port of ["-1", "65536", "http", "80.5", ""]) expect(configError(() => read(env, { port })).variable).toBe("--port");
    expect(configError(() => read(env, { host: "a b" })).variable).toBe("--host");
    expect(read({ ...env, SN_MCP_HTTP_ALLOWED_HOSTS: "A.example.com, b.example.com:8443,[::1]:1" }).allowedHosts).toEqual([
      "a.example.com",
      "b.example.com:8443",
      "[::1]:1",
    ]);
    expect(configError(() => read({ ...env, SN_MCP_HTTP_ALLOWED_HOSTS: "http://a.example.com" })).variable).toBe("SN_MCP_HTTP_ALLOWED_HOSTS");
    expect(read({ ...env, SN_MCP_HTTP_ALLOWED_ORIGINS: "https://App.example.com:443/, http://localhost:3000" }).allowedOrigins).toEqual([
      "https://app.example.com",
      "http://localhost:3000",
    ]);
    for (const origin of ["*", "app.example.com", "https://app.example.com/path", "file:///x", "null"]) {
      expect(configError(() => read({ ...env, SN_MCP_HTTP_ALLOWED_ORIGINS: origin })).variable, origin).toBe("SN_MCP_HTTP_ALLOWED_ORIGINS");
    }
  });

  it("derives the allow-list from the bound address", () => {
    const loopback = buildAllowList("127.0.0.1", 8808, [], []);
    expect([...loopback.hosts].sort()).toEqual(["127.0.0.1:8808", "[::1]:8808", "localhost:8808"]);
    expect(isAllowedHost("localhost:8808", loopback)).toBe(true);
    expect(isAllowedHost("localhost", loopback)).toBe(false);
    expect(isAllowedHost(undefined, loopback)).toBe(false);
    expect(isAllowedHost("localhost:8808@evil", loopback)).toBe(false);
    expect(isAllowedOrigin(undefined, loopback)).toBe(true);
    expect(isAllowedOrigin("http://localhost:8808", loopback)).toBe(true);
    expect(isAllowedOrigin("http://localhost:8809", loopback)).toBe(false);

    const lan = buildAllowList("192.168.1.5", 80, [], []);
    expect([...lan.hosts]).toEqual(["192.168.1.5:80"]);
    expect(isAllowedHost("192.168.1.5", lan)).toBe(true);
    expect(isAllowedOrigin("http://192.168.1.5", lan)).toBe(true);
    expect(isAllowedHost("localhost:80", lan)).toBe(false);

    const v6 = buildAllowList("::1", 9000, [], []);
    expect(isAllowedHost("[::1]:9000", v6)).toBe(true);
    expect(isAllowedOrigin("http://[::1]:9000", v6)).toBe(true);

    const everywhere = buildAllowList("0.0.0.0", 9000, ["mcp.example.com"], []);
    expect(isAllowedHost("localhost:9000", everywhere)).toBe(true);
    expect(isAllowedHost("mcp.example.com:9000", everywhere)).toBe(true);
    expect(isAllowedHost("0.0.0.0:9000", everywhere)).toBe(false);
  });

  it("compares the bearer exactly", () => {
    const check = bearerChecker(BEARER);
    expect(check(`Bearer ${BEARER}`)).toBe("ok");
    expect(check(`BEARER  ${BEARER} `)).toBe("ok");
    expect(check(undefined)).toBe("missing");
    expect(check("")).toBe("missing");
    expect(check("Bearer")).toBe("wrong");
    expect(check(`Bearer ${BEARER} extra`)).toBe("wrong");
    expect(check(`Bearer ${BEARER.toUpperCase()}`)).toBe("wrong");
  });
});
