import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverOAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { startHttpMode, type HttpMode } from "../src/http/mode.js";
import { readHttpOptions } from "../src/http/options.js";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { composeApp, configError, serverEnv } from "./support/harness.js";
import { startIssuerDouble, type IssuerDouble } from "./support/issuer-double.js";

/**
 * HTTP mode as an OAuth 2.1 resource server, end to end: the SDK's own client discovers the
 * protected resource metadata and gets a token from a local issuer double (keys made here), and
 * every kind of bad token is refused.
 */

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

interface Running {
  issuer: IssuerDouble;
  solarUser: LocalSolarUser;
  mode: HttpMode;
  url: URL;
  logs: string[];
  auditLog: string;
  /** The SDK's client, sending `token` as its bearer (and answering questions with `answer`). */
  client(token: string, person?: { questions: string[] }): Promise<Client>;
}

async function start(env: Record<string, string> = {}): Promise<Running> {
  const issuer = await startIssuerDouble();
  const solarUser = await startLocalSolarUser();
  const scratch = mkdtempSync(join(tmpdir(), "sn-oauth-"));
  const auditLog = join(scratch, "audit.jsonl");
  const admin = solarUser.seedToken({ type: "User", userId: 123 });
  const config = readConfig(serverEnv(solarUser, admin, { SN_MCP_AUDIT_LOG: auditLog, ...env }));
  const logs: string[] = [];
  const app = composeApp(config, { writeLog: (line) => logs.push(line), retryDelayMs: () => 0 });
  const options = readHttpOptions({ SN_MCP_HTTP_OAUTH_ISSUER: issuer.issuer }, { port: "0" });
  // No cool-down: a test's new key is looked up at once (the default keeps a flood of unknown key IDs from reaching the issuer).
  const mode = await startHttpMode(app, options, { jwksCooldownMs: 0 });
  issuer.audience = mode.url;
  const clients: Client[] = [];
  open.push({
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await mode.shutdown(0);
      await solarUser.close();
      await issuer.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  });
  return {
    issuer,
    solarUser,
    mode,
    url: new URL(mode.url),
    logs,
    auditLog,
    async client(token, person) {
      const client = new Client({ name: "oauth-test", version: "0" }, person ? { capabilities: { elicitation: { form: {} } } } : {});
      if (person) {
        client.setRequestHandler(ElicitRequestSchema, (request) => {
          person.questions.push(request.params.message);
          return { action: "accept", content: { allow: true } };
        });
      }
      await client.connect(new StreamableHTTPClientTransport(new URL(mode.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      clients.push(client);
      return client;
    },
  };
}

const PING = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
const post = (r: Running, token: string | undefined, body = PING) =>
  fetch(r.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body,
  });
const callTool = (name: string, args: object = {}) => JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name, arguments: args } });
const errorMessage = async (reply: Response) => ((await reply.json()) as { error: { message: string } }).error.message;
const generated = (r: Running) => r.solarUser.requests.filter((request) => request.path.includes(`${TOKENS_PATH}/generate`)).length;

describe("HTTP mode with OAuth: discovery", () => {
  it("serves RFC 9728 protected resource metadata at both well-known paths, and the 401 names it", async () => {
    const r = await start();
    const metadataUrl = new URL("/.well-known/oauth-protected-resource/mcp", r.url).href;
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const reply = await fetch(new URL(path, r.url));
      expect(reply.status, path).toBe(200);
      expect(await reply.json()).toEqual({
        resource: r.mode.url,
        authorization_servers: [r.issuer.issuer],
        scopes_supported: ["tokens:read", "tokens:write"],
        bearer_methods_supported: ["header"],
        resource_name: "sn-tokens-mcp",
      });
    }
    const refused = await post(r, undefined);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe(`Bearer scope="tokens:read tokens:write", resource_metadata="${metadataUrl}"`);
    expect(await errorMessage(refused)).toContain(r.issuer.issuer);
    // The SDK's client finds the same document from the server's URL alone.
    expect(await discoverOAuthProtectedResourceMetadata(r.mode.url)).toMatchObject({ resource: r.mode.url, authorization_servers: [r.issuer.issuer] });
  });

  it("the SDK's client with client credentials alone: 401, metadata, a token from the issuer for this resource, then 200", async () => {
    const r = await start();
    r.issuer.addClient("reports-bot", "bot-secret", ["tokens:read", "tokens:write"]);
    const client = new Client({ name: "oauth-test", version: "0" });
    const provider = new ClientCredentialsProvider({ clientId: "reports-bot", clientSecret: "bot-secret", expectedIssuer: r.issuer.issuer });
    await client.connect(new StreamableHTTPClientTransport(r.url, { authProvider: provider }));
    open.push(client);
    const listed = (await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult;
    expect(listed.isError).toBeFalsy();
    expect(r.issuer.resources).toEqual([r.mode.url]);
    expect(r.logs.join("\n")).toMatch(/HTTP request refused: no access token/);
    expect(provider.tokens()?.access_token).toBeTruthy();
  });
});

describe("HTTP mode with OAuth: tokens refused", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, (issuer: IssuerDouble) => Promise<string>, RegExp][] = [
    ["expired", (issuer) => issuer.token({ claims: { exp: now() - 120 } }), /has expired/],
    ["not yet valid", (issuer) => issuer.token({ claims: { nbf: now() + 600 } }), /not valid yet/],
    ["for another audience", (issuer) => issuer.token({ claims: { aud: "https://other.example.com/mcp" } }), /another audience/],
    ["from another issuer", (issuer) => issuer.token({ claims: { iss: "https://evil.example.com" } }), /another issuer/],
    ["signed by another key (unknown kid)", (issuer) => issuer.token({ unpublished: true }), /not signed by a key of the authorization server/],
    ["signed by another key (a published kid)", async (issuer) => issuer.token({ unpublished: true, kid: await publishedKid(issuer) }), /not signed by a key of the authorization server/],
    ["alg none", async (issuer) => unsigned(await issuer.token()), /asymmetric algorithm/],
    ["HMAC-signed (HS256)", async (issuer) => hmacSigned(await issuer.token()), /asymmetric algorithm/],
    ["without a subject", (issuer) => issuer.token({ claims: { sub: "" } }), /sub/],
    ["not a JWT", async () => "opaque-token-value", /not a valid signed JWT/],
  ];

  it.each(cases)("%s: 401 invalid_token, and the SDK's client cannot connect", async (_name, make, reason) => {
    const r = await start();
    const token = await make(r.issuer);
    const reply = await post(r, token);
    expect(reply.status).toBe(401);
    expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"$/);
    const message = await errorMessage(reply);
    expect(message).toMatch(reason);
    expect(message).not.toContain(token);
    await expect(r.client(token)).rejects.toThrow();
    expect(r.logs.join("\n")).not.toContain(token);
  });
});

describe("HTTP mode with OAuth: the issuer's keys unavailable", () => {
  it("a key set answered with 500 is the issuer's fault, not the token's: 503 with Retry-After, not 401", async () => {
    const r = await start();
    const token = await r.issuer.token();
    r.issuer.keysBroken = true;
    const reply = await post(r, token);
    expect(reply.status).toBe(503);
    expect(reply.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(reply.headers.get("www-authenticate") ?? "").not.toMatch(/invalid_token/);
    expect(r.logs.join("\n")).not.toContain(token);
  });
});

/** The kid of the issuer's current key, read from a token it signed. */
async function publishedKid(issuer: IssuerDouble): Promise<string> {
  const header = JSON.parse(Buffer.from((await issuer.token()).split(".")[0]!, "base64url").toString()) as { kid: string };
  return header.kid;
}

/** The same claims with `alg: none` and no signature. */
function unsigned(token: string): string {
  const [, payload] = token.split(".");
  return `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
}

/** The same claims signed with HS256, the key being the issuer's public JWK text (the classic key-confusion attempt). */
async function hmacSigned(token: string): Promise<string> {
  const { createHmac } = await import("node:crypto");
  const [, payload] = token.split(".");
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  const signature = createHmac("sha256", "public-key-as-secret").update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

describe("HTTP mode with OAuth: scopes", () => {
  it("a read-only token lists tokens but a write gets 403 insufficient_scope, and nothing is sent to SolarNetwork", async () => {
    const r = await start();
    const token = await r.issuer.token({ claims: { scope: "tokens:read" } });
    const client = await r.client(token);
    const listed = (await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult;
    expect(listed.isError).toBeFalsy();
    await expect(client.callTool({ name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [1] } })).rejects.toMatchObject({ code: 403 });

    const reply = await post(r, token, callTool("create_token", { type: "ReadNodeData", nodeIds: [1] }));
    expect(reply.status).toBe(403);
    expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope", scope="tokens:read tokens:write", error_description="[^"]+", resource_metadata="/);
    expect(await errorMessage(reply)).toMatch(/needs the scope tokens:write/);
    expect(generated(r)).toBe(0);
  });

  it("a write-only token may write but not list; a token with neither scope may not even start a session", async () => {
    const r = await start();
    const writer = await r.issuer.token({ claims: { scope: "tokens:write" } });
    expect((await post(r, writer, callTool("list_tokens"))).status).toBe(403);
    expect((await post(r, writer, callTool("delete_token", { tokenId: "NOPE" }))).status).toBe(200);
    const none = await r.issuer.token({ claims: { scope: "profile" } });
    const reply = await post(r, none);
    expect(reply.status).toBe(403);
    expect(reply.headers.get("www-authenticate")).toMatch(/scope="tokens:read"/);
  });
});

describe("HTTP mode with OAuth: keys, subjects and limits", () => {
  it("caches the issuer's keys, and fetches them again when a token names a new key", async () => {
    const r = await start();
    for (let i = 0; i < 3; i++) expect((await post(r, await r.issuer.token())).status).toBe(200);
    expect(r.issuer.jwksFetches).toBe(1);
    await r.issuer.rotate();
    expect((await post(r, await r.issuer.token())).status).toBe(200);
    expect(r.issuer.jwksFetches).toBe(2);
  });

  it("names the subject in every audit line and every question", async () => {
    const r = await start();
    const doomed = r.solarUser.seedToken({ type: "ReadNodeData", name: "old feed" });
    const person = { questions: [] as string[] };
    const client = await r.client(await r.issuer.token({ claims: { sub: "alice@example.com" } }), person);
    const created = (await client.callTool({ name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [1], expiresIn: "30D" } })) as CallToolResult;
    expect(created.isError).toBeFalsy();
    const deleted = (await client.callTool({ name: "delete_token", arguments: { tokenId: doomed.id } })) as CallToolResult;
    expect(deleted.isError).toBeFalsy();
    expect(person.questions.length).toBeGreaterThan(0);
    for (const question of person.questions) expect(question).toMatch(/^Requested by alice@example\.com\.\n/);
    const lines = readFileSync(r.auditLog, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { subject?: string; phase: string });
    expect(lines.map((line) => line.phase)).toEqual(["attempt", "outcome", "attempt", "outcome"]);
    for (const line of lines) expect(line.subject).toBe("alice@example.com");
  });

  it("keeps rate limits per subject", async () => {
    const r = await start({ SN_MCP_RATE_LIMIT_READS: "2" });
    const alice = await r.client(await r.issuer.token({ claims: { sub: "alice" } }));
    const bob = await r.client(await r.issuer.token({ claims: { sub: "bob" } }));
    const list = async (client: Client) => ((await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult).isError ?? false;
    expect([await list(alice), await list(alice), await list(alice)]).toEqual([false, false, true]);
    expect(await list(bob)).toBe(false);
  });

  it("a session serves only the subject that opened it", async () => {
    const r = await start();
    const alice = await r.issuer.token({ claims: { sub: "alice" } });
    const opened = await post(r, alice, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "0" } } }));
    const session = opened.headers.get("mcp-session-id")!;
    expect(session).toBeTruthy();
    await opened.text();
    const asBob = await fetch(r.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "Mcp-Session-Id": session, Authorization: `Bearer ${await r.issuer.token({ claims: { sub: "bob" } })}` },
      body: PING,
    });
    expect(asBob.status).toBe(404);
  });
});

describe("HTTP mode with OAuth: configuration", () => {
  const read = (env: Record<string, string>, flags = {}) => readHttpOptions(env, { port: "0", ...flags }, ["the-server-secret-the-server-secret"]);

  it("reads the issuer, the audience and the scope names", () => {
    const plain = read({ SN_MCP_HTTP_OAUTH_ISSUER: "https://auth.example.com/" });
    expect(plain.token).toBeUndefined();
    expect(plain.oauth).toEqual({ issuer: "https://auth.example.com/", audience: undefined, scopes: { read: "tokens:read", write: "tokens:write" } });
    const named = read({
      SN_MCP_HTTP_OAUTH_ISSUER: "https://auth.example.com/realms/ops",
      SN_MCP_HTTP_OAUTH_AUDIENCE: "https://mcp.example.com/mcp",
      SN_MCP_HTTP_OAUTH_READ_SCOPE: "sn:read",
      SN_MCP_HTTP_OAUTH_WRITE_SCOPE: "sn:write",
    });
    expect(named.oauth).toEqual({ issuer: "https://auth.example.com/realms/ops", audience: "https://mcp.example.com/mcp", scopes: { read: "sn:read", write: "sn:write" } });
  });

  it("requires exactly one of SN_MCP_HTTP_TOKEN and SN_MCP_HTTP_OAUTH_ISSUER, and refuses what cannot work", () => {
    expect(configError(() => read({})).message).toMatch(/SN_MCP_HTTP_TOKEN: or SN_MCP_HTTP_OAUTH_ISSUER is required with --http/);
    const both = { SN_MCP_HTTP_TOKEN: "x".repeat(40), SN_MCP_HTTP_OAUTH_ISSUER: "https://auth.example.com" };
    expect(configError(() => read(both)).message).toMatch(/both set: choose one/);
    const issuer = { SN_MCP_HTTP_OAUTH_ISSUER: "https://auth.example.com" };
    expect(configError(() => read({ SN_MCP_HTTP_OAUTH_ISSUER: "http://auth.example.com" })).variable).toBe("SN_MCP_HTTP_OAUTH_ISSUER");
    expect(configError(() => read({ SN_MCP_HTTP_OAUTH_ISSUER: "auth.example.com" })).variable).toBe("SN_MCP_HTTP_OAUTH_ISSUER");
    expect(read({ SN_MCP_HTTP_OAUTH_ISSUER: "http://127.0.0.1:9000" }).oauth?.issuer).toBe("http://127.0.0.1:9000");
    expect(configError(() => read({ ...issuer, SN_MCP_HTTP_OAUTH_AUDIENCE: "mcp" })).variable).toBe("SN_MCP_HTTP_OAUTH_AUDIENCE");
    expect(configError(() => read(issuer, { host: "0.0.0.0" })).variable).toBe("SN_MCP_HTTP_OAUTH_AUDIENCE");
    expect(configError(() => read({ ...issuer, SN_MCP_HTTP_OAUTH_WRITE_SCOPE: "tokens:read" })).variable).toBe("SN_MCP_HTTP_OAUTH_WRITE_SCOPE");
    expect(configError(() => read({ ...issuer, SN_MCP_HTTP_OAUTH_READ_SCOPE: 'a "b"' })).variable).toBe("SN_MCP_HTTP_OAUTH_READ_SCOPE");
    expect(configError(() => read({ SN_MCP_HTTP_TOKEN: "x".repeat(40), SN_MCP_HTTP_OAUTH_AUDIENCE: "https://mcp.example.com/mcp" })).variable).toBe("SN_MCP_HTTP_OAUTH_AUDIENCE");
  });

  it("the binary exits 2 with one line when both or neither are set", () => {
    const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    const env = { PATH: process.env.PATH ?? "", SN_TOKEN: "t", SN_TOKEN_SECRET: "a-secret-for-the-cli-test" };
    for (const extra of [{}, { SN_MCP_HTTP_TOKEN: "y".repeat(40), SN_MCP_HTTP_OAUTH_ISSUER: "https://auth.example.com" }]) {
      const run = spawnSync(process.execPath, [cli, "--http"], { env: { ...env, ...extra }, encoding: "utf8" });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/SN_MCP_HTTP_TOKEN/);
    }
  });
});
