import { join } from "node:path";
import { serverEnv, startAccount } from "./in-process.js";
import { handshake, spawnPeer, vmRss, type StdioPeer } from "./stdio-peer.js";
import { median, round, sleep, type Row } from "./stats.js";
import { STDIO_V8_FLAGS } from "../src/memory.js";

/**
 * 5. Memory of servers as child processes over stdio, called one call after another (each call sent
 * when the previous one is answered, as an assistant calls tools):
 * - ours: `node dist/cli.js`, `calls` list_tokens calls (a page of 50 from a 50-token account; rate
 *   limits off), read after start (tools/list answered) and after 1, 1,000, `peerCalls` and `calls`;
 * - peer: @modelcontextprotocol/server-everything (stdio), `peerCalls` calls of its `echo` tool,
 *   read after start and after them, under the same V8 flags ours sets in stdio mode (src/memory.ts).
 * A reading is the median of 5 VmRSS samples (/proc/<pid>/status) 50 ms apart, after 200 ms idle,
 * with no forced collection: RSS as the OS sees it. A second run of ours under
 * `node --expose-gc --import bench/gc-preload.mjs` reads after two full collections in the server
 * (triggered by SIGUSR2; median of 3): VmRSS and V8's heapUsed, the leak check.
 */

const MB = 1024 * 1024;
const SAMPLES = 5;
const GC_SAMPLES = 3;

interface Reading {
  calls: number;
  rss: number;
  heapUsed?: number;
}

export async function plainReading(peer: StdioPeer): Promise<{ rss: number }> {
  await sleep(200);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    if (i > 0) await sleep(50);
    samples.push(await vmRss(peer.pid));
  }
  return { rss: median(samples) };
}

let gcSequence = 0;
async function gcOnce(peer: StdioPeer): Promise<{ rss: number; heapUsed: number }> {
  const sequence = ++gcSequence;
  process.kill(peer.pid, "SIGUSR2");
  const marker = new RegExp(`^BENCH-GC ${sequence} (\\{.*\\})$`, "m");
  for (let waited = 0; waited < 5000; waited += 10) {
    const match = marker.exec(peer.stderr());
    if (match) return { rss: await vmRss(peer.pid), heapUsed: (JSON.parse(match[1] as string) as { heapUsed: number }).heapUsed };
    await sleep(10);
  }
  throw new Error("memory: the gc preload did not answer");
}

async function gcReading(peer: StdioPeer): Promise<{ rss: number; heapUsed: number }> {
  await sleep(200);
  const samples = [];
  for (let i = 0; i < GC_SAMPLES; i++) samples.push(await gcOnce(peer));
  return { rss: median(samples.map((sample) => sample.rss)), heapUsed: median(samples.map((sample) => sample.heapUsed)) };
}

/** Starts a server, then calls `call` one call after another, reading memory at each checkpoint. */
async function drive(
  args: string[],
  env: Record<string, string>,
  call: (peer: StdioPeer) => Promise<void>,
  checkpoints: number[],
  read: (peer: StdioPeer) => Promise<Omit<Reading, "calls">>,
): Promise<{ readings: Reading[]; callsPerSecond: number }> {
  const peer = spawnPeer(process.execPath, args, env);
  const readings: Reading[] = [];
  try {
    await handshake(peer);
    await peer.request("tools/list");
    readings.push({ calls: 0, ...(await read(peer)) });
    let done = 0;
    let busy = 0;
    for (const checkpoint of checkpoints) {
      const started = performance.now();
      for (; done < checkpoint; done++) await call(peer);
      busy += performance.now() - started;
      readings.push({ calls: checkpoint, ...(await read(peer)) });
    }
    return { readings, callsPerSecond: round((done * 1000) / busy, 0) };
  } finally {
    await peer.close();
  }
}

export async function benchMemory(options: { root: string; calls: number; peerCalls: number }): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const account = await startAccount(50);
  try {
    const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
    const env = { ...base, ...serverEnv(account) };
    const cli = join(options.root, "dist", "cli.js");
    const listTokens = async (peer: StdioPeer) => {
      const result = (await peer.request("tools/call", { name: "list_tokens", arguments: {} })) as { isError?: boolean };
      if (result.isError) throw new Error(`memory: list_tokens failed: ${JSON.stringify(result)}`);
    };
    const echo = async (peer: StdioPeer) => {
      const result = (await peer.request("tools/call", { name: "echo", arguments: { message: "sn-tokens-mcp bench" } })) as { isError?: boolean };
      if (result.isError) throw new Error(`memory: server-everything echo failed: ${JSON.stringify(result)}`);
    };
    const checkpoints = [1, 1_000, options.peerCalls, options.calls];
    const plain = await drive([cli], env, listTokens, checkpoints, plainReading);
    // The peer runs under the V8 flags ours sets in stdio mode, so that neither is tuned against the other untuned.
    const everything = await drive(
      [...STDIO_V8_FLAGS, join(options.root, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js"), "stdio"],
      base,
      echo,
      [options.peerCalls],
      plainReading,
    );
    const gc = await drive(["--expose-gc", "--import", join(options.root, "bench", "gc-preload.mjs"), cli], env, listTokens, checkpoints, gcReading);

    const at = (readings: Reading[], calls: number) => readings.find((reading) => reading.calls === calls) as Reading;
    const mb = (bytes: number) => round(bytes / MB, 1);
    const n = (calls: number) => calls.toLocaleString("en");
    const versusPeer = (figure: string, calls: number, target: number | null): Row => {
      const ours = at(plain.readings, calls).rss;
      const peer = at(everything.readings, calls).rss;
      return {
        section: "memory",
        figure,
        ours: mb(ours),
        unit: "MB",
        peer: `@modelcontextprotocol/server-everything (${STDIO_V8_FLAGS.join(" ")})`,
        peerValue: mb(peer),
        ratioOf: "ours/peer",
        ratio: round(ours / peer, 2),
        target: target === null ? "—" : `≤ ${target}×`,
        pass: target === null ? null : ours / peer <= target,
      };
    };
    const growth = (figure: string, readings: Reading[], field: "rss" | "heapUsed", target: boolean): Row => {
      const start = at(readings, 1_000)[field] as number;
      const end = at(readings, options.calls)[field] as number;
      return {
        section: "memory",
        figure,
        ours: mb(end),
        unit: "MB",
        peer: "same process after 1,000 calls",
        peerValue: mb(start),
        ratioOf: "end/start",
        ratio: round(end / start, 2),
        target: target ? "flat: Δ within ±5 MB" : "—",
        pass: target ? Math.abs(end - start) <= 5 * MB : null,
        note: `Δ ${mb(end - start)} MB`,
      };
    };
    const rows: Row[] = [
      versusPeer("Server RSS after start (tools/list answered; VmRSS)", 0, null),
      {
        ...versusPeer(`Server RSS after ${n(options.peerCalls)} calls one after another (ours list_tokens, peer echo; VmRSS)`, options.peerCalls, 0.8),
        note: `ours after 1,000 calls ${mb(at(plain.readings, 1_000).rss)} MB, after ${n(options.calls)} ${mb(at(plain.readings, options.calls).rss)} MB`,
      },
      growth(`Server RSS from call 1,000 to ${n(options.calls)} (VmRSS, no forced GC)`, plain.readings, "rss", true),
      growth(`Server RSS from call 1,000 to ${n(options.calls)} (VmRSS after gc(), --expose-gc run)`, gc.readings, "rss", false),
      growth(`Server V8 heapUsed from call 1,000 to ${n(options.calls)} (after gc())`, gc.readings, "heapUsed", false),
    ];
    const table = (readings: Reading[]) =>
      readings.map((reading) => ({
        calls: reading.calls,
        rssMB: round(reading.rss / MB, 2),
        ...(reading.heapUsed === undefined ? {} : { heapUsedMB: round(reading.heapUsed / MB, 2) }),
      }));
    return {
      rows,
      details: {
        calls: options.calls,
        peerCalls: options.peerCalls,
        accountTokens: 50,
        samplesPerReading: { plain: SAMPLES, gc: GC_SAMPLES },
        plain: { readings: table(plain.readings), callsPerSecond: plain.callsPerSecond },
        everything: { readings: table(everything.readings), callsPerSecond: everything.callsPerSecond },
        gc: { readings: table(gc.readings), callsPerSecond: gc.callsPerSecond },
      },
    };
  } finally {
    await account.close();
  }
}
