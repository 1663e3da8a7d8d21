import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitationCompleteNotificationSchema, ElicitRequestSchema, type CallToolResult, type ElicitRequestURLParams, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { App } from "../src/compose.js";
import { startHttpMode } from "../src/http/mode.js";
import { readHttpOptions } from "../src/http/options.js";
import { REDACTED } from "../src/safety/redact.js";
import { PAGE_LIFETIME_MS } from "../src/safety/secret-page.js";
import { startHarness, textOf } from "./support/harness.js";
import { startVastHarness } from "./support/vast-harness.js";

/**
 * url secret delivery: the secret reaches the person on a one-time page whose URL only a URL-mode
 * elicitation carries, through a real MCP client, against both simulators.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface UrlClient {
  prompts: ElicitRequestURLParams[];
  /** The elicitation IDs the server said were complete (their pages opened). */
  completed: string[];
  call(name: string, args?: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult>;
}

/**
 * A second client on the app, one that declares URL elicitation and answers every URL prompt with
 * `answer` (and allows every confirmation question).
 */
async function urlClient(app: App, answer: ElicitResult["action"] | "fail" | "hang" = "accept"): Promise<UrlClient> {
  const prompts: ElicitRequestURLParams[] = [];
  const completed: string[] = [];
  const client = new Client({ name: "url-client", version: "0" }, { capabilities: { elicitation: { url: {}, form: {} } } });
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => void completed.push(notification.params.elicitationId));
  client.setRequestHandler(ElicitRequestSchema, (request): ElicitResult | Promise<ElicitResult> => {
    if (request.params.mode !== "url") return { action: "accept", content: { allow: true } };
    prompts.push(request.params);
    if (answer === "fail") throw new Error("this client cannot show the prompt");
    if (answer === "hang") return new Promise<ElicitResult>(() => {});
    return { action: answer };
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.newServer().connect(serverTransport);
  await client.connect(clientTransport);
  cleanups.push(() => client.close());
  return {
    prompts,
    completed,
    call: async (name, args = {}, signal?: AbortSignal) => (await client.callTool({ name, arguments: args }, undefined, { signal })) as CallToolResult,
  };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request as a browser sends it (node:http, so that the Host header can be set). */
function get(url: string, { method = "GET", host }: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: host ? { Host: host } : {} }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    request.on("error", reject).end();
  });
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}

/** The value of `NAME=value` in the page's lines. */
function lineValue(page: string, name: string): string {
  const match = new RegExp(`${name}=([^\\n<]+)`).exec(page);
  expect(match, `the page shows ${name}=...`).not.toBeNull();
  return unescapeHtml(match![1]!);
}

function expectPageHeaders(headers: IncomingHttpHeaders): void {
  expect(headers["cache-control"]).toBe("no-store");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["content-security-policy"]).toMatch(/^default-src 'none'/);
}

describe("url secret delivery (SolarNetwork)", () => {
  async function start(env: Record<string, string>, clock?: () => number) {
    const h = await startHarness({ env, clock });
    cleanups.push(() => h.close());
    return h;
  }

  it("shows the secret once on a page only the prompt names; the result carries neither", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const person = await urlClient(h.app);
    const result = await person.call("create_token", { type: "ReadNodeData", nodeIds: [1], displayMode: "pretty" });

    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as { token: { id: string }; secret?: string; secretDelivery?: string; warnings: string[] };
    expect(out.secretDelivery).toBe("url");
    expect(out.secret).toBeUndefined();
    expect(out.warnings[0]).toMatch(/one-time page .* not in this result.*rotate_token/);
    expect(textOf(result)).toContain("not in this result");

    expect(person.prompts).toHaveLength(1);
    const [prompt] = person.prompts;
    expect(prompt!.mode).toBe("url");
    expect(prompt!.message).toContain(out.token.id);
    expect(prompt!.message).not.toMatch(/https?:/);
    const url = new URL(prompt!.url);
    expect(url.hostname).toBe("127.0.0.1");
    const key = url.pathname.split("/").pop()!;
    expect(Buffer.from(key, "base64url").length).toBeGreaterThanOrEqual(16);

    // Neither HEAD nor a request under another Host (DNS rebinding) spends the page.
    expect((await get(url.href, { method: "HEAD" })).status).toBe(405);
    expect((await get(url.href, { host: `rebound.example:${url.port}` })).status).toBe(403);
    expect(person.completed).toEqual([]);
    const page = await get(url.href);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    // The client is told the page was opened, so it can close its prompt.
    await vi.waitFor(() => expect(person.completed).toEqual([prompt!.elicitationId]), { timeout: 20_000 });
    expect(lineValue(page.body, "SN_TOKEN")).toBe(out.token.id);
    const secret = lineValue(page.body, "SN_TOKEN_SECRET");
    expect(secret.length).toBeGreaterThan(8);

    const again = await get(url.href);
    expect(again.status).toBe(410);
    expectPageHeaders(again.headers);
    expect(again.body).toContain("already viewed");
    expect(again.body).toContain("rotate_token");
    expect(again.body).not.toContain(secret);
    expect(person.completed).toHaveLength(1);

    const everything = [JSON.stringify(result), ...h.logs].join("\n");
    for (const leak of [secret, key, prompt!.url]) expect(everything).not.toContain(leak);
    // The redactor would hide a leak: the result must not have needed it.
    expect(JSON.stringify(result)).not.toContain(REDACTED);
    // The token stays created.
    const listed = await h.call("list_tokens", {});
    expect(JSON.stringify(listed.structuredContent)).toContain(out.token.id);
  });

  it("expires ten minutes after creation, judged by the server's clock", async () => {
    let now = Date.now();
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" }, () => now);
    const person = await urlClient(h.app);
    await person.call("create_token", { type: "ReadNodeData", nodeIds: [1] });
    const url = person.prompts[0]!.url;

    now += PAGE_LIFETIME_MS;
    const page = await get(url);
    expect(page.status).toBe(410);
    expect(page.body).toContain("expired");
    expect(page.body).not.toMatch(/SN_TOKEN_SECRET=/);
  });

  it("tells of a declined prompt, and the page still opens until it expires", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const person = await urlClient(h.app, "decline");
    const result = await person.call("create_token", { type: "ReadNodeData", nodeIds: [1] });
    const out = result.structuredContent as { secretDelivery?: string; warnings: string[] };
    expect(out.secretDelivery).toBe("url");
    expect(out.warnings[0]).toContain("declined the prompt; the page still lasts until");
    expect((await get(person.prompts[0]!.url)).status).toBe(200);
  });

  it("ends the new token when the client fails to show the page's prompt: no one could open it", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const person = await urlClient(h.app, "fail");
    const result = await person.call("create_token", { type: "ReadNodeData", nodeIds: [1] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/could not show the prompt .*was deleted again/);
    expect((await get(person.prompts[0]!.url)).status).toBe(410);
    const listed = (await h.call("list_tokens", {})).structuredContent as { tokens: { id: string }[] };
    expect(listed.tokens.map((token) => token.id)).toEqual([h.admin.id]);
  });

  it("ends the new token when the call is cancelled while the person is offered the page", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const person = await urlClient(h.app, "hang");
    const cancel = new AbortController();
    const call = person.call("create_token", { type: "ReadNodeData", nodeIds: [1] }, cancel.signal);
    await vi.waitFor(() => expect(person.prompts).toHaveLength(1), { timeout: 20_000 });
    cancel.abort();
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(h.logs.join("\n")).toMatch(/ending a new token whose secret cannot be delivered.*cancelled while the person was offered the page/), { timeout: 20_000 });
    expect((await get(person.prompts[0]!.url)).status).toBe(410);
    const listed = (await h.call("list_tokens", {})).structuredContent as { tokens: { id: string }[] };
    expect(listed.tokens.map((token) => token.id)).toEqual([h.admin.id]);
  });

  it("keeps the token when the page was viewed before the prompt failed", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const viewed: Reply[] = [];
    const client = new Client({ name: "viewing-client", version: "0" }, { capabilities: { elicitation: { url: {}, form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      if (request.params.mode !== "url") return { action: "accept", content: { allow: true } };
      viewed.push(await get(request.params.url));
      throw new Error("the prompt closed after the person opened the page");
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await h.app.newServer().connect(serverTransport);
    await client.connect(clientTransport);
    cleanups.push(() => client.close());
    const result = (await client.callTool({ name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [1] } })) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(viewed[0]?.status).toBe(200);
    const listed = (await h.call("list_tokens", {})).structuredContent as { tokens: { id: string }[] };
    expect(listed.tokens).toHaveLength(2);
  });

  it("rotate_token keeps the old token live when the person declines the successor's page", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const first = (await (await urlClient(h.app)).call("create_token", { type: "ReadNodeData", nodeIds: [1] })).structuredContent as { token: { id: string } };
    const rotated = await (await urlClient(h.app, "decline")).call("rotate_token", { tokenId: first.token.id });
    expect(rotated.isError).toBeFalsy();
    expect((rotated.structuredContent as { previous: { retired: boolean } }).previous.retired).toBe(false);
    expect(textOf(rotated)).toMatch(/declined the page .*old token is kept/);
    expect(h.solarUser.requests.filter((request) => request.path.endsWith("/status"))).toHaveLength(0);
  });

  it("refuses before minting when the client cannot show a URL prompt", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const before = h.solarUser.requests.length;
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("SN_MCP_SECRET_DELIVERY");
    expect(textOf(result)).toContain("SN_MCP_SECRET_DELIVERY=auto");
    expect(h.solarUser.requests.slice(before).filter((request) => request.method === "POST")).toHaveLength(0);
    const listed = (await h.call("list_tokens", {})).structuredContent as { tokens: { id: string }[] };
    expect(listed.tokens.map((token) => token.id)).toEqual([h.admin.id]);
  });

  it("rotate_token delivers the successor's secret on a page too", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "url" });
    const person = await urlClient(h.app);
    const first = (await person.call("create_token", { type: "ReadNodeData", nodeIds: [1] })).structuredContent as { token: { id: string } };
    const rotated = await person.call("rotate_token", { tokenId: first.token.id });
    expect(rotated.isError).toBeFalsy();
    expect((rotated.structuredContent as { secretDelivery?: string }).secretDelivery).toBe("url");
    expect(person.prompts).toHaveLength(2);
    const page = await get(person.prompts[1]!.url);
    expect(page.status).toBe(200);
    expect(JSON.stringify(rotated)).not.toContain(lineValue(page.body, "SN_TOKEN_SECRET"));
  });

  it("auto: inline for a client without URL prompts, url for one with", async () => {
    const h = await start({ SN_MCP_SECRET_DELIVERY: "auto" });
    const inline = (await h.call("create_token", { type: "ReadNodeData", nodeIds: [1] })).structuredContent as { secret?: string };
    expect(inline.secret).toEqual(expect.any(String));

    const person = await urlClient(h.app);
    const viaPage = (await person.call("create_token", { type: "ReadNodeData", nodeIds: [2] })).structuredContent as { secret?: string; secretDelivery?: string };
    expect(viaPage.secret).toBeUndefined();
    expect(viaPage.secretDelivery).toBe("url");
    expect(person.prompts).toHaveLength(1);
  });
});

describe("url secret delivery (VAST)", () => {
  it("shows the credential once on the page; the result carries neither it nor the URL", async () => {
    const h = await startVastHarness({ env: { SN_MCP_SECRET_DELIVERY: "url" } });
    cleanups.push(() => h.close());
    const person = await urlClient(h.app);
    const result = await person.call("create_token", { name: "via-page", expiresIn: "30D" });

    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as { token: { id: string }; secret?: string; secretDelivery?: string };
    expect(out.secretDelivery).toBe("url");
    expect(out.secret).toBeUndefined();
    const url = person.prompts[0]!.url;
    const page = await get(url);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    const credential = lineValue(page.body, "VAST_API_TOKEN");
    expect(credential.startsWith(`${out.token.id}.`)).toBe(true);
    expect((await get(url)).status).toBe(410);

    const everything = [JSON.stringify(result), ...h.logs, ...h.questions].join("\n");
    for (const leak of [credential, credential.slice(credential.indexOf(".") + 1), url]) expect(everything).not.toContain(leak);
    expect(JSON.stringify(result)).not.toContain(REDACTED);
    expect(h.vms.tokens().map((token) => token.id)).toContain(out.token.id);
  });

  it("refuses before minting when the client cannot show a URL prompt", async () => {
    const h = await startVastHarness({ env: { SN_MCP_SECRET_DELIVERY: "url" } });
    cleanups.push(() => h.close());
    const before = h.vms.tokens().length;
    const result = await h.call("create_token", { name: "nowhere" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("SN_MCP_SECRET_DELIVERY");
    expect(h.vms.tokens()).toHaveLength(before);
  });
});

describe("url secret delivery in HTTP mode", () => {
  const BEARER = "test-bearer-0123456789abcdef0123456789abcdef";
  async function startHttp(delivery: string) {
    const h = await startHarness({ env: { SN_MCP_SECRET_DELIVERY: delivery } });
    const mode = await startHttpMode(h.app, readHttpOptions({ SN_MCP_HTTP_TOKEN: BEARER }, { port: "0" }));
    cleanups.push(async () => {
      await h.client.close();
      await mode.shutdown(0);
      await h.solarUser.close();
    });
    return { h, mode };
  }

  it("knows no client's URL prompts outside a session (a stateless call never sees initialize), so auto is inline", async () => {
    const { mode } = await startHttp("auto");
    const reply = await fetch(mode.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", Authorization: `Bearer ${BEARER}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [1] } } }),
    });
    const { result } = (await reply.json()) as { result: CallToolResult };
    expect((result.structuredContent as { secret?: string }).secret).toEqual(expect.any(String));
  });

  it("serves the page on the MCP listener, under its Host rule", async () => {
    const { h, mode } = await startHttp("url");
    const page = await h.app.secretPages.publish({ tokenId: "T".repeat(20), filePrefix: "sn-token", lines: [["SN_TOKEN_SECRET", "s3cret<&>value"]] }, "s3cret<&>value");
    const url = new URL(page.url);
    expect(url.origin).toBe(new URL(mode.url).origin);

    const rebound = await get(url.href, { host: `attacker.example:${url.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain("s3cret");

    const shown = await get(url.href);
    expect(shown.status).toBe(200);
    expectPageHeaders(shown.headers);
    expect(shown.body).toContain("s3cret&#60;&#38;&#62;value");
    expect(shown.body).not.toContain("s3cret<&>value");
    expect((await get(url.href)).status).toBe(410);
    expect(h.logs.join("\n")).toContain("HTTP request");
    expect(h.logs.join("\n")).not.toContain(url.pathname.split("/").pop());
  });
});
