import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, request } from "undici";
import { round, type Row } from "./stats.js";
import { serverEnv, type Account } from "./in-process.js";

/**
 * HTTP mode, which makes an MCP server per request: `node dist/cli.js --http --port 0` against a
 * local account, driven with `concurrency` requests in flight over keep-alive connections. Per
 * kind of request: requests per second, and the server process's CPU time per request (user +
 * system from /proc, so the load generator's own CPU is not counted). Kinds: `tools/call
 * list_tokens` (one page of the account) and a refused call (an unknown argument: no SolarNetwork
 * request, so the figure is nearly all per-request overhead).
 */

const BEARER = "bench-bearer-0123456789abcdef0123456789abcdef";
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${BEARER}` };

interface Figures {
  requestsPerSecond: number;
  cpuMsPerRequest: number;
}

/** User + system CPU of a process, in ms (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function drive(url: string, dispatcher: Agent, body: string, requests: number, concurrency: number, pid: number): Promise<Figures> {
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      const reply = await request(url, { method: "POST", headers: HEADERS, body, dispatcher });
      const text = await reply.body.text();
      if (reply.statusCode !== 200) throw new Error(`HTTP ${reply.statusCode}: ${text.slice(0, 200)}`);
    }
  };
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { requestsPerSecond: round(requests / seconds, 0), cpuMsPerRequest: round((cpuMs(pid) - cpuBefore) / requests, 3) };
}

const call = (args: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "list_tokens", arguments: args } });

export async function benchHttpThroughput(options: {
  root: string;
  account: Account;
  requests: number;
  concurrency: number;
}): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...serverEnv(options.account), SN_MCP_HTTP_TOKEN: BEARER };
  const child = spawn(process.execPath, [join(options.root, "dist", "cli.js"), "--http", "--port", "0"], { env, stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const dispatcher = new Agent({ connections: options.concurrency });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let errors = "";
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => {
        errors += chunk;
        const found = /"url":"([^"]+)"/.exec(errors);
        if (found) resolve(found[1]!);
      });
      child.once("exit", (code) => reject(new Error(`server exited (${code}): ${errors.slice(-500)}`)));
    });
    const kinds = { list_tokens: call({ limit: 50 }), refused: call({ nope: 1 }) };
    const figures: Record<string, Figures> = {};
    for (const [kind, body] of Object.entries(kinds)) {
      await drive(url, dispatcher, body, Math.ceil(options.requests / 5), options.concurrency, child.pid!); // warm-up
      figures[kind] = await drive(url, dispatcher, body, options.requests, options.concurrency, child.pid!);
    }
    /** A figure with no peer and no target: information. */
    const info = (figure: string, ours: number, unit: string, note: string): Row => ({
      section: "http",
      figure,
      ours,
      unit,
      peer: "—",
      peerValue: null,
      ratioOf: "",
      ratio: null,
      target: "—",
      pass: null,
      note,
    });
    const rows: Row[] = Object.entries(figures).flatMap(([kind, { requestsPerSecond, cpuMsPerRequest }]) => [
      info(`HTTP mode, ${kind} calls, ${options.concurrency} in flight: throughput`, requestsPerSecond, "req/s", `${options.requests} requests (${options.account.tokens}-token account)`),
      info(`HTTP mode, ${kind} calls: server CPU per request`, cpuMsPerRequest, "ms", "user + system time of the server process"),
    ]);
    return { rows, details: figures };
  } finally {
    await dispatcher.close();
    child.kill("SIGTERM");
    await exited;
  }
}
