import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitRequestSchema,
  LATEST_PROTOCOL_VERSION,
  type CallToolResult,
  type ElicitRequestURLParams,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";
import { composeApp } from "./support/harness.js";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { startHttpMode, type HttpMode } from "../src/http/mode.js";
import { readHttpOptions, type HttpOptions } from "../src/http/options.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { gate, serverEnv } from "./support/harness.js";

/**
 * HTTP mode's sessions: an SDK client that initializes gets a session, through which the server
 * can ask the person (form confirmations, url secret delivery), against the real SolarUser.
 */

const BEARER = "test-bearer-0123456789abcdef0123456789abcdef";
const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
const PING = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Served {
  solarUser: LocalSolarUser;
  mode: HttpMode;
  logs: string[];
  /** How many MCP servers the app has made since HTTP mode started. */
  serversMade(): number;
}

async function serve({ env = {}, http = {}, clock }: { env?: Record<string, string>; http?: Partial<HttpOptions>; clock?: () => number } = {}): Promise<Served> {
  const solarUser = await startLocalSolarUser();
  cleanups.push(() => solarUser.close());
  const admin = solarUser.seedToken({ type: "User", userId: 123 });
  const config = readConfig(serverEnv(solarUser, admin, env));
  const logs: string[] = [];
  const app = composeApp(config, { writeLog: (line) => logs.push(line), retryDelayMs: () => 0 });
  const options = { ...readHttpOptions({ SN_MCP_HTTP_TOKEN: BEARER }, { port: "0" }), ...http };
  const made = vi.spyOn(app, "newServer");
  const mode = await startHttpMode(app, options, { clock });
  cleanups.push(() => mode.shutdown(0));
  return { solarUser, mode, logs, serversMade: () => made.mock.calls.length };
}

interface Person {
  client: Client;
  transport: StreamableHTTPClientTransport;
  questions: string[];
  prompts: ElicitRequestURLParams[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
}

/** An SDK client over HTTP that declares form and URL elicitation and gives `allow` to every confirmation question. */
async function person(mode: HttpMode, allow = true): Promise<Person> {
  const questions: string[] = [];
  const prompts: ElicitRequestURLParams[] = [];
  const client = new Client({ name: "http-person", version: "0" }, { capabilities: { elicitation: { form: {}, url: {} } } });
  client.setRequestHandler(ElicitRequestSchema, (request): ElicitResult => {
    if (request.params.mode === "url") {
      prompts.push(request.params);
      return { action: "accept" };
    }
    questions.push(request.params.message);
    return allow ? { action: "accept", content: { allow: true } } : { action: "decline" };
  });
  const transport = new StreamableHTTPClientTransport(new URL(mode.url), { requestInit: { headers: { Authorization: `Bearer ${BEARER}` } } });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, transport, questions, prompts, call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult };
}

function post(mode: HttpMode, body: string, headers: Record<string, string> = {}, method = "POST"): Promise<Response> {
  return fetch(mode.url, { method, headers: { ...JSON_HEADERS, ...headers }, body: method === "POST" ? body : undefined });
}

const bearer = { Authorization: `Bearer ${BEARER}` };

describe("HTTP sessions", () => {
  it("asks the person before a delete: deletes on accept, changes nothing on decline", async () => {
    const s = await serve({ env: { SN_MCP_WITHOUT_ELICITATION: "refuse" } });
    const kept = s.solarUser.seedToken({ type: "ReadNodeData" });
    const doomed = s.solarUser.seedToken({ type: "ReadNodeData" });

    const declining = await person(s.mode, false);
    expect(declining.transport.sessionId).toEqual(expect.any(String));
    const refused = await declining.call("delete_token", { tokenId: kept.id });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toMatch(/did not allow/);
    expect(declining.questions).toHaveLength(1);
    expect(declining.questions[0]).toContain(kept.id);
    expect(s.solarUser.requests.some((request) => request.method === "DELETE")).toBe(false);

    const accepting = await person(s.mode, true);
    const deleted = await accepting.call("delete_token", { tokenId: doomed.id });
    expect(deleted.isError).toBeFalsy();
    expect(accepting.questions).toHaveLength(1);
    expect(s.solarUser.requests.filter((request) => request.method === "DELETE")).toHaveLength(1);
    const listed = (await accepting.call("list_tokens")).structuredContent as { tokens: { id: string }[] };
    expect(listed.tokens.map((token) => token.id)).toContain(kept.id);
    expect(listed.tokens.map((token) => token.id)).not.toContain(doomed.id);
  });

  it("delivers a new secret on a one-time page: the client is given the URL, the result carries neither", async () => {
    const s = await serve({ env: { SN_MCP_SECRET_DELIVERY: "url" } });
    const p = await person(s.mode);
    const result = await p.call("create_token", { type: "ReadNodeData", nodeIds: [1] });
    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as { token: { id: string }; secret?: string; secretDelivery?: string };
    expect(out.secretDelivery).toBe("url");
    expect(out.secret).toBeUndefined();

    expect(p.prompts).toHaveLength(1);
    const url = p.prompts[0]!.url;
    expect(new URL(url).origin).toBe(new URL(s.mode.url).origin);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const secret = /SN_TOKEN_SECRET=([^\n<]+)/.exec(await page.text())?.[1];
    expect(secret).toEqual(expect.any(String));
    expect((await fetch(url)).status).toBe(410);

    const everything = [JSON.stringify(result), ...s.logs].join("\n");
    for (const leak of [secret!, url, new URL(url).pathname]) expect(everything).not.toContain(leak);
  });

  it("404 for a session it does not know, whatever the method", async () => {
    const s = await serve();
    const unknown = { ...bearer, "Mcp-Session-Id": randomUUID() };
    for (const method of ["POST", "DELETE"]) {
      const reply = await post(s.mode, PING, unknown, method);
      expect(reply.status, method).toBe(404);
      expect(((await reply.json()) as { error: { message: string } }).error.message).toMatch(/Session not found.*initialize/);
    }
  });

  it("401 for a request in a session without the right bearer: a session ID is no credential", async () => {
    const s = await serve();
    const p = await person(s.mode);
    const session = { "Mcp-Session-Id": p.transport.sessionId!, "Mcp-Protocol-Version": LATEST_PROTOCOL_VERSION };
    for (const authorization of [undefined, `Bearer ${BEARER.slice(0, -1)}x`]) {
      const headers = authorization ? { ...session, Authorization: authorization } : session;
      expect((await post(s.mode, PING, headers)).status, authorization).toBe(401);
      expect((await post(s.mode, PING, headers, "DELETE")).status, authorization).toBe(401);
    }
    expect(s.mode.sessions).toBe(1);
    expect((await post(s.mode, PING, { ...session, ...bearer })).status).toBe(200);
  });

  it("DELETE ends the session", async () => {
    const s = await serve();
    const p = await person(s.mode);
    const id = p.transport.sessionId!;
    expect(s.mode.sessions).toBe(1);
    await p.transport.terminateSession();
    expect(s.mode.sessions).toBe(0);
    expect((await post(s.mode, PING, { ...bearer, "Mcp-Session-Id": id })).status).toBe(404);
    expect(s.logs.join("")).toContain("HTTP session closed: ended by the client");
  });

  it("an initialize it refuses leaves no session behind", async () => {
    const s = await serve();
    const reply = await post(s.mode, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }), bearer);
    expect(reply.status).toBe(400);
    expect(reply.headers.get("mcp-session-id")).toBeNull();
    await vi.waitFor(() => expect(s.mode.sessions).toBe(0), { timeout: 20_000 });
  });

  it("requests outside a session are still served statelessly, in JSON", async () => {
    const s = await serve();
    const reply = await post(s.mode, JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" }), bearer);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/application\/json/);
    expect(reply.headers.get("mcp-session-id")).toBeNull();
    expect(((await reply.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(0);
    expect(s.mode.sessions).toBe(0);
  });

  it("serves requests outside a session one after another with one server, reused", async () => {
    const s = await serve();
    s.solarUser.seedToken({ type: "ReadNodeData", name: "kept" });
    for (let id = 1; id <= 4; id++) {
      const reply = await post(s.mode, JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "list_tokens", arguments: {} } }), bearer);
      const answer = (await reply.json()) as { id: number; result: { structuredContent: { total: number } } };
      expect(answer.id).toBe(id);
      expect(answer.result.structuredContent.total).toBe(2);
    }
    expect(s.serversMade()).toBe(1);
  });

  it("gives requests outside a session that overlap a server each, then reuses them", async () => {
    const s = await serve();
    const release = gate();
    s.solarUser.injectFault({ kind: "hold", release: release.promise, match: { method: "GET", pathEndsWith: `${TOKENS_PATH}/find` } });
    const call = (id: number) => post(s.mode, JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "list_tokens", arguments: {} } }), bearer);
    const first = call(1);
    await vi.waitFor(() => expect(s.solarUser.requests.some((request) => request.path.endsWith("/find"))).toBe(true), { timeout: 20_000 });
    const replies = await Promise.all([call(2), call(3)]);
    release.resolve();
    replies.push(await first);
    expect((await Promise.all(replies.map((reply) => reply.json()))).map((answer) => (answer as { id: number }).id)).toEqual([2, 3, 1]);
    expect(s.serversMade()).toBe(3);
    for (let id = 4; id <= 6; id++) expect((await call(id)).status).toBe(200);
    expect(s.serversMade()).toBe(3);
  });

  describe("limits", () => {
    it("when full, a new session closes the longest-idle one", async () => {
      let now = Date.now();
      const s = await serve({ http: { maxSessions: 2 }, clock: () => now });
      const first = await person(s.mode);
      now += 1_000;
      const second = await person(s.mode);
      now += 1_000;
      await first.client.ping(); // now the second is the longest idle
      now += 1_000;
      const third = await person(s.mode);
      expect(s.mode.sessions).toBe(2);
      await expect(second.client.ping()).rejects.toThrow(/Session not found/);
      await first.client.ping();
      await third.client.ping();
    });

    it("503 for a new session when every session has a request in flight", async () => {
      const s = await serve({ http: { maxSessions: 1 } });
      const busy = await person(s.mode);
      const release = gate();
      s.solarUser.injectFault({ kind: "hold", release: release.promise, match: { method: "GET", pathEndsWith: `${TOKENS_PATH}/find` } });
      const call = busy.call("list_tokens");
      await vi.waitFor(() => expect(s.solarUser.requests.some((request) => request.path.endsWith("/find"))).toBe(true), { timeout: 20_000 });

      const refused = await post(s.mode, INITIALIZE, bearer);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Too many MCP sessions/);
      release.resolve();
      expect((await call).isError).toBeFalsy();
      expect((await post(s.mode, INITIALIZE, bearer)).status).toBe(200);
      expect(s.mode.sessions).toBe(1);
    });

    it("closes a session after 30 minutes without a request, and only then", async () => {
      let now = Date.now();
      const s = await serve({ clock: () => now });
      const p = await person(s.mode);
      now += 20 * 60_000;
      await p.client.ping();
      now += 20 * 60_000;
      await p.client.ping(); // 40 minutes old, 20 idle: still open

      const other = await person(s.mode);
      now += 30 * 60_000;
      await expect(p.client.ping()).rejects.toThrow(/Session not found/);
      expect(s.mode.sessions).toBe(1);
      // A new session sweeps the other expired one away.
      await person(s.mode);
      expect(s.mode.sessions).toBe(1);
      await expect(other.client.ping()).rejects.toThrow(/Session not found/);
    });

    it("shutdown closes every session", async () => {
      const s = await serve();
      await person(s.mode);
      await person(s.mode);
      expect(s.mode.sessions).toBe(2);
      await s.mode.shutdown(0);
      expect(s.mode.sessions).toBe(0);
      expect(s.logs.join("")).toMatch(/"message":"HTTP shutdown complete","drained":true/);
    });
  });
});
