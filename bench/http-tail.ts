import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { Agent, request } from "undici";
import { serverEnv, type Account } from "./in-process.js";
import { PROTOCOL_VERSION } from "./stdio-peer.js";
import { median, quantile, round, type Row } from "./stats.js";

/**
 * HTTP mode's tail latency as a crowd of users feels it: `clients` MCP clients, each with its own
 * session (initialize, notifications/initialized), each sending its next call as soon as the last
 * one is answered, for `seconds`. Ours: `node dist/cli.js --http`, `list_tokens` on a 50-token
 * account (a page of 50, over a real signed GET whenever the listing cache is stale). Peer:
 * @modelcontextprotocol/server-everything's streamable HTTP, `echo`. Figures: p50 and p99 of the
 * call's round trip, and calls per second. Both run at V8's defaults (HTTP mode sets no flag).
 */

const BEARER = "bench-bearer-0123456789abcdef0123456789abcdef";

interface Target {
  url: string;
  headers: Record<string, string>;
  call: { name: string; arguments: Record<string, unknown> };
  /** Whether a result is the one expected (not an error, the right shape). */
  check(result: unknown): boolean;
}

interface Latencies {
  samples: number[];
  calls: number;
  seconds: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The JSON-RPC message in a reply: a JSON body, or the `data:` line of an SSE stream that answers `id`. */
function answerIn(text: string, id: number): { result?: unknown; error?: unknown } | undefined {
  if (text.startsWith("{")) return JSON.parse(text) as { result?: unknown };
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const message = JSON.parse(line.slice(5)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id === id) return message;
  }
  return undefined;
}

async function runClients(target: Target, clients: number, seconds: number): Promise<Latencies> {
  const dispatcher = new Agent({ connections: clients });
  const post = async (body: unknown, session?: string) => {
    const reply = await request(target.url, {
      method: "POST",
      headers: { ...target.headers, "content-type": "application/json", accept: "application/json, text/event-stream", ...(session ? { "mcp-session-id": session } : {}) },
      body: JSON.stringify(body),
      dispatcher,
    });
    const text = await reply.body.text();
    if (reply.statusCode >= 300) throw new Error(`HTTP ${reply.statusCode}: ${text.slice(0, 200)}`);
    return { text, session: reply.headers["mcp-session-id"] as string | undefined };
  };
  const open = async () => {
    const opened = await post({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "sn-tokens-mcp-bench", version: "0" } },
    });
    if (!opened.session) throw new Error("http tail: no session opened");
    await post({ jsonrpc: "2.0", method: "notifications/initialized" }, opened.session);
    return opened.session;
  };
  let samples: number[] = [];
  const loop = async (session: string, until: number) => {
    for (let id = 1; performance.now() < until; id++) {
      const started = performance.now();
      const { text } = await post({ jsonrpc: "2.0", id, method: "tools/call", params: target.call }, session);
      samples.push(performance.now() - started);
      const answer = answerIn(text, id);
      if (!answer || !target.check(answer.result)) throw new Error(`http tail: unexpected answer ${text.slice(0, 300)}`);
    }
  };
  try {
    // Every session is open before the clock starts; one second of calls first, as warm-up, not recorded.
    const sessions = await Promise.all(Array.from({ length: clients }, open));
    await Promise.all(sessions.map((session) => loop(session, performance.now() + 1000)));
    samples = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(sessions.map((session) => loop(session, until)));
  } finally {
    await dispatcher.close();
  }
  return { samples, calls: samples.length, seconds };
}

async function withServer<T>(args: string[], env: Record<string, string>, listening: RegExp, use: (url: string) => Promise<T>): Promise<T> {
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let errors = "";
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (chunk: string) => {
        if (errors.length < 100_000) errors += chunk;
        const found = listening.exec(errors);
        if (found) resolve(found[1]!);
      });
      child.once("exit", (code) => reject(new Error(`server exited (${code}): ${errors.slice(-500)}`)));
    });
    return await use(url);
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

export async function benchHttpTail(options: { root: string; account: Account; clients: number; seconds: number }): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  const ours = await withServer(
    [join(options.root, "dist", "cli.js"), "--http", "--port", "0"],
    { ...base, ...serverEnv(options.account), SN_MCP_HTTP_TOKEN: BEARER },
    /"url":"([^"]+)"/,
    (url) =>
      runClients(
        {
          url,
          headers: { authorization: `Bearer ${BEARER}` },
          call: { name: "list_tokens", arguments: {} },
          check: (result) => ((result as { structuredContent?: { tokens?: unknown[] } }).structuredContent?.tokens?.length ?? 0) === 50,
        },
        options.clients,
        options.seconds,
      ),
  );
  const port = await freePort();
  const everything = await withServer(
    [join(options.root, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js"), "streamableHttp"],
    { ...base, PORT: String(port) },
    /listening on port (\d+)/,
    () =>
      runClients(
        {
          url: `http://127.0.0.1:${port}/mcp`,
          headers: {},
          call: { name: "echo", arguments: { message: "sn-tokens-mcp bench" } },
          check: (result) => (result as { isError?: boolean }).isError !== true,
        },
        options.clients,
        options.seconds,
      ),
  );
  const p99 = (latencies: Latencies) => quantile(latencies.samples, 0.99);
  const figure = (latencies: Latencies) => ({
    calls: latencies.calls,
    callsPerSecond: round(latencies.calls / latencies.seconds, 0),
    p50Ms: round(median(latencies.samples), 1),
    p90Ms: round(quantile(latencies.samples, 0.9), 1),
    p99Ms: round(p99(latencies), 1),
    maxMs: round(Math.max(...latencies.samples), 1),
  });
  const oursFigures = figure(ours);
  const peerFigures = figure(everything);
  const ratio = p99(ours) / p99(everything);
  return {
    rows: [
      {
        section: "http",
        headline: true,
        figure: `HTTP mode, ${options.clients} clients × ${options.seconds} s (a session each, calls back to back): p99 of list_tokens (50 tokens)`,
        ours: oursFigures.p99Ms,
        unit: "ms",
        peer: "server-everything streamable HTTP, echo",
        peerValue: peerFigures.p99Ms,
        ratioOf: "ours/peer time",
        ratio: round(ratio, 2),
        target: "≤ 1.5×",
        pass: ratio <= 1.5,
        note: `p50 ${oursFigures.p50Ms} vs ${peerFigures.p50Ms} ms; ${oursFigures.callsPerSecond} vs ${peerFigures.callsPerSecond} calls/s`,
      },
    ],
    details: { clients: options.clients, seconds: options.seconds, ours: oursFigures, everything: peerFigures },
  };
}
