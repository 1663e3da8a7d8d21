#!/usr/bin/env node
// Runs @modelcontextprotocol/conformance against `node dist/cli.js --http`, everything on 127.0.0.1:
// a local SolarUser (from dist/), the server, and a tiny proxy that adds our bearer.
//
//   node scripts/conformance.mjs --cli <conformance/dist/index.js> [--node <node for it>] [--out <dir>]
//
// Needs `npm run build` first. Exits non-zero when any scenario fails (or cannot run).
//
// Why a proxy: the conformance tool has no option for request headers (0.1.16: its client is a bare
// StreamableHTTPClientTransport, its DNS-rebinding probe a bare undici request), and the server
// refuses every request without `Authorization: Bearer <SN_MCP_HTTP_TOKEN>`. The proxy (test-only,
// here) adds the header and forwards everything else untouched, Host and Origin included, so the
// server's own Host/Origin checks face the tool's probes. The server runs exactly as in production;
// its allow-list gains the proxy's address through SN_MCP_HTTP_ALLOWED_HOSTS/_ORIGINS, as it would
// behind any reverse proxy. A direct request without the bearer is checked to get 401.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import { parseArgs } from "node:util";
import { fetch } from "undici";

/** The server scenarios that apply to this server. */
const SCENARIOS = ["server-initialize", "ping", "tools-list", "dns-rebinding-protection", "server-sse-multiple-streams"];
/**
 * The rest of the tool's server scenarios, and why they do not apply. Each needs a capability or a
 * fixture tool (test_simple_text, test_error_handling, …) of the suite's "everything server" that a
 * token-management server does not and should not have.
 */
export const NOT_APPLICABLE = {
  "logging-set-level": "no logging capability (logs go to stderr as JSON lines, not to the client)",
  "completion-complete": "no prompts or resource templates, so no completions capability",
  "tools-call-simple-text": "calls fixture tool test_simple_text",
  "tools-call-image": "calls fixture tool test_image_content",
  "tools-call-audio": "calls fixture tool test_audio_content",
  "tools-call-embedded-resource": "calls fixture tool test_embedded_resource",
  "tools-call-mixed-content": "calls fixture tool test_multiple_content_types",
  "tools-call-with-logging": "calls fixture tool test_tool_with_logging; no logging capability",
  "tools-call-error": "calls fixture tool test_error_handling (our tool errors are covered by the vitest suite)",
  "tools-call-with-progress": "calls fixture tool test_tool_with_progress; our calls report no progress",
  "tools-call-sampling": "calls fixture tool test_sampling; we never ask the client to sample",
  "tools-call-elicitation": "calls fixture tool test_elicitation (our own elicitation over HTTP sessions is covered by test/http-sessions.test.ts)",
  "json-schema-2020-12": "looks for fixture tool json_schema_2020_12_tool",
  "elicitation-sep1034-defaults": "calls a fixture elicitation tool",
  "elicitation-sep1330-enums": "calls a fixture elicitation tool",
  "server-sse-polling": "calls fixture tool test_reconnection; resumable SSE streams (an event store) are not built, so it makes no check (0/0, 2 warnings)",
  "resources-list": "no resources capability",
  "resources-read-text": "no resources capability",
  "resources-read-binary": "no resources capability",
  "resources-templates-read": "no resources capability",
  "resources-subscribe": "no resources capability",
  "resources-unsubscribe": "no resources capability",
  "prompts-list": "no prompts capability",
  "prompts-get-simple": "no prompts capability",
  "prompts-get-with-args": "no prompts capability",
  "prompts-get-embedded-resource": "no prompts capability",
  "prompts-get-with-image": "no prompts capability",
};

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: { cli: { type: "string" }, node: { type: "string" }, out: { type: "string" } },
  strict: true,
});
const conformanceCli = values.cli ?? process.env.CONFORMANCE_CLI;
const conformanceNode = values.node ?? process.env.CONFORMANCE_NODE ?? process.execPath;
if (!conformanceCli) {
  process.stderr.write("conformance: give --cli <path to @modelcontextprotocol/conformance/dist/index.js>\n");
  process.exit(2);
}
const out = values.out ?? mkdtempSync(join(tmpdir(), "sn-mcp-conformance-"));
const say = (text) => process.stdout.write(`${text}\n`);

const { startLocalSolarUser } = await import(new URL("../dist/simulators/solarnetwork/solaruser.js", import.meta.url).href);
const solarUser = await startLocalSolarUser();
const admin = solarUser.seedToken({ type: "User", userId: 1 });
const bearer = randomBytes(32).toString("hex");

let serverPort = 0;
const proxy = createServer((req, res) => {
  const upstream = request(
    { host: "127.0.0.1", port: serverPort, method: req.method, path: req.url, headers: { ...req.headers, authorization: `Bearer ${bearer}` } },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
});
await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
const proxyPort = proxy.address().port;

const server = spawn(process.execPath, [join(root, "dist/cli.js"), "--http", "--port", "0"], {
  env: {
    PATH: process.env.PATH ?? "",
    SN_URL: solarUser.url,
    SN_TOKEN: admin.id,
    SN_TOKEN_SECRET: admin.secret,
    SN_MCP_HTTP_TOKEN: bearer,
    SN_MCP_HTTP_ALLOWED_HOSTS: `127.0.0.1:${proxyPort}`,
    SN_MCP_HTTP_ALLOWED_ORIGINS: `http://127.0.0.1:${proxyPort}`,
    SN_MCP_LOG_LEVEL: "info",
  },
  stdio: ["ignore", "pipe", "pipe"],
});
let serverLog = "";
let serverOut = "";
server.stdout.on("data", (chunk) => (serverOut += chunk));
const exited = new Promise((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));
const url = await new Promise((resolve, reject) => {
  server.stderr.on("data", (chunk) => {
    serverLog += chunk;
    const match = /"message":"serving MCP over HTTP".*?"url":"(http:[^"]+)"/.exec(serverLog);
    if (match) resolve(match[1]);
  });
  exited.then(({ code }) => reject(new Error(`the server exited (${code}) before serving:\n${serverLog}`)));
});
serverPort = Number(new URL(url).port);
const proxyUrl = `http://127.0.0.1:${proxyPort}/mcp`;
say(`conformance: server ${url}, tool talking to ${proxyUrl} (adds the bearer), results in ${out}`);

const results = [];
const check = (name, ok, detail = "") => {
  results.push({ name, ok });
  say(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
};

// Every scenario the tool knows is either run or explained: a new one (after an upgrade) fails here.
const listing = await new Promise((resolve) => {
  let text = "";
  const list = spawn(conformanceNode, [conformanceCli, "list", "--server"], { stdio: ["ignore", "pipe", "inherit"] });
  list.stdout.on("data", (chunk) => (text += chunk));
  list.once("exit", () => resolve(text));
});
const known = [...listing.matchAll(/^\s*-\s+(\S+)/gm)].map((match) => match[1]);
const unaccounted = known.filter((name) => !SCENARIOS.includes(name) && !(name in NOT_APPLICABLE));
check("every server scenario is run or explained", known.length > 0 && unaccounted.length === 0, unaccounted.join(", "));

// Auth is on: without the proxy, no bearer, 401.
const direct = await fetch(url, {
  method: "POST",
  headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
});
check("direct request without bearer gets 401", direct.status === 401, `HTTP ${direct.status}`);

for (const scenario of SCENARIOS) {
  say(`\n=== ${scenario}`);
  const run = spawn(conformanceNode, [conformanceCli, "server", "--url", proxyUrl, "--scenario", scenario, "-o", out], {
    stdio: "inherit",
  });
  const code = await new Promise((resolve) => run.once("exit", (exitCode) => resolve(exitCode)));
  check(`scenario ${scenario}`, code === 0, `exit ${code}`);
}

server.kill("SIGTERM");
const { code: serverExit } = await exited;
check("server shuts down cleanly on SIGTERM", serverExit === 0, `exit ${serverExit}`);
check("server logs carry no secret", ![bearer, admin.secret].some((secret) => serverLog.includes(secret)));
check("server writes nothing to stdout in HTTP mode", serverOut === "");
await new Promise((resolve) => proxy.close(resolve));
await solarUser.close();

say(`\nnot run (do not apply): ${Object.keys(NOT_APPLICABLE).length} scenarios; see NOT_APPLICABLE in scripts/conformance.mjs`);
const failed = results.filter((result) => !result.ok).length;
say(`conformance: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
