import { join } from "node:path";
import { startLocalSolarUser } from "../src/sandbox/solaruser.js";
import { seedAccount, seedAdmin } from "./seed.js";
import { handshake, spawnPeer, vmRss, type StdioPeer } from "./stdio-peer.js";
import { round, sleep, type Row } from "./stats.js";

/**
 * 5. Memory: the server as a child process (`node dist/cli.js`) over stdio, answering `calls`
 * list_tokens calls (a page of 50 from a 50-token account; read rate limit off), at most
 * `concurrency` in flight. Two runs:
 * - plain: RSS from /proc/<pid>/status (VmRSS) as the OS sees it, with no forced collection,
 *   after start (tools/list answered, 250 ms idle) and after the calls (250 ms idle);
 * - gc: a dedicated run under `node --expose-gc --import bench/gc-preload.mjs`, where each reading is
 *   taken after two full collections in the server (triggered by SIGUSR2): VmRSS, and V8's heapUsed.
 * Checkpoints after the 1st and 1,000th call show where growth happens (warm-up or steady state).
 */

const MB = 1024 * 1024;

interface Reading {
  calls: number;
  rss: number;
  heapUsed?: number;
}

async function gcReading(peer: StdioPeer, sequence: number): Promise<{ rss: number; heapUsed: number }> {
  process.kill(peer.pid, "SIGUSR2");
  const marker = new RegExp(`^BENCH-GC ${sequence} (\\{.*\\})$`, "m");
  for (let waited = 0; waited < 5000; waited += 10) {
    const match = marker.exec(peer.stderr());
    if (match) {
      const usage = JSON.parse(match[1] as string) as { heapUsed: number };
      return { rss: await vmRss(peer.pid), heapUsed: usage.heapUsed };
    }
    await sleep(10);
  }
  throw new Error("memory: the gc preload did not answer");
}

async function run(
  root: string,
  env: Record<string, string>,
  options: { calls: number; concurrency: number; gc: boolean },
): Promise<{ readings: Reading[]; seconds: number; lineBytes: number }> {
  const args = options.gc
    ? ["--expose-gc", "--import", join(root, "bench", "gc-preload.mjs"), join(root, "dist", "cli.js")]
    : [join(root, "dist", "cli.js")];
  const peer = spawnPeer(process.execPath, args, env);
  const readings: Reading[] = [];
  let sequence = 0;
  const read = async (calls: number) => {
    await sleep(250);
    if (options.gc) readings.push({ calls, ...(await gcReading(peer, ++sequence)) });
    else readings.push({ calls, rss: await vmRss(peer.pid) });
  };
  try {
    await handshake(peer);
    await peer.request("tools/list");
    await read(0);
    const first = await peer.requestSized("tools/call", { name: "list_tokens", arguments: {} });
    await read(1);
    const checkpoints = [1_000, options.calls];
    let done = 1;
    const started = performance.now();
    for (const checkpoint of checkpoints) {
      let next = done;
      const worker = async () => {
        while (next < checkpoint) {
          next++;
          const result = (await peer.request("tools/call", { name: "list_tokens", arguments: {} })) as { isError?: boolean };
          if (result.isError) throw new Error(`memory: list_tokens failed: ${JSON.stringify(result)}`);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      done = checkpoint;
      await read(checkpoint);
    }
    return { readings, seconds: (performance.now() - started) / 1000, lineBytes: first.bytes };
  } finally {
    await peer.close();
  }
}

/** VmRSS of a server 250 ms after it answered its first tools/list. */
async function rssAfterStart(args: string[], env: Record<string, string>): Promise<number> {
  const peer = spawnPeer(process.execPath, args, env);
  try {
    await handshake(peer);
    await peer.request("tools/list");
    await sleep(250);
    return await vmRss(peer.pid);
  } finally {
    await peer.close();
  }
}

export async function benchMemory(options: { root: string; calls: number; concurrency: number }): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const solarUser = await startLocalSolarUser();
  try {
    const admin = seedAdmin(solarUser);
    seedAccount(solarUser, 49);
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      SN_URL: solarUser.url,
      SN_TOKEN: admin.id,
      SN_TOKEN_SECRET: admin.secret,
      SN_MCP_RATE_LIMIT_READS: "0",
    };
    const plain = await run(options.root, env, { calls: options.calls, concurrency: options.concurrency, gc: false });
    const everything = await rssAfterStart([join(options.root, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js"), "stdio"], {
      PATH: env.PATH,
      HOME: env.HOME,
    });
    const gc = await run(options.root, env, { calls: options.calls, concurrency: options.concurrency, gc: true });
    const at = (readings: Reading[], calls: number) => readings.find((reading) => reading.calls === calls) as Reading;
    const rows: Row[] = [
      {
        section: "memory",
        figure: "Server RSS after start (tools/list answered; VmRSS)",
        ours: round(at(plain.readings, 0).rss / MB, 1),
        unit: "MB",
        peer: "@modelcontextprotocol/server-everything",
        peerValue: round(everything / MB, 1),
        ratioOf: "ours/peer",
        ratio: round(at(plain.readings, 0).rss / everything, 2),
        target: "—",
        pass: null,
      },
    ];
    const row = (figure: string, start: number, end: number, target: boolean, note?: string): Row => ({
      section: "memory",
      figure,
      ours: round(end / MB, 1),
      unit: "MB",
      peer: "same process after start",
      peerValue: round(start / MB, 1),
      ratioOf: "end/start",
      ratio: round(end / start, 2),
      target: target ? "Δ ≤ 5 MB" : "—",
      pass: target ? end - start <= 5 * MB : null,
      note: `Δ ${round((end - start) / MB, 1)} MB${note ? `; ${note}` : ""}`,
    });
    rows.push(
      row(
        `Server RSS after ${options.calls.toLocaleString("en")} calls vs after start (VmRSS, no forced GC)`,
        at(plain.readings, 0).rss,
        at(plain.readings, options.calls).rss,
        true,
        `after 1st call ${round(at(plain.readings, 1).rss / MB, 1)} MB, after 1,000 ${round(at(plain.readings, 1_000).rss / MB, 1)} MB`,
      ),
      row(
        `Server RSS after ${options.calls.toLocaleString("en")} calls vs after start (VmRSS after gc(), --expose-gc run)`,
        at(gc.readings, 0).rss,
        at(gc.readings, options.calls).rss,
        true,
        `after 1st call ${round(at(gc.readings, 1).rss / MB, 1)} MB, after 1,000 ${round(at(gc.readings, 1_000).rss / MB, 1)} MB`,
      ),
      {
        ...row(
          `Server RSS after ${options.calls.toLocaleString("en")} calls vs after 1,000 (VmRSS after gc(): growth once warm)`,
          at(gc.readings, 1_000).rss,
          at(gc.readings, options.calls).rss,
          false,
          "the leak check: growth over the last 9,000 calls",
        ),
        peer: "same process after 1,000 calls",
      },
      row(
        `Server V8 heapUsed after ${options.calls.toLocaleString("en")} calls vs after start (after gc())`,
        at(gc.readings, 0).heapUsed as number,
        at(gc.readings, options.calls).heapUsed as number,
        false,
        `after 1st call ${round((at(gc.readings, 1).heapUsed as number) / MB, 1)} MB, after 1,000 ${round((at(gc.readings, 1_000).heapUsed as number) / MB, 1)} MB`,
      ),
    );
    const mb = (readings: Reading[]) =>
      readings.map((reading) => ({
        calls: reading.calls,
        rssMB: round(reading.rss / MB, 2),
        ...(reading.heapUsed === undefined ? {} : { heapUsedMB: round(reading.heapUsed / MB, 2) }),
      }));
    return {
      rows,
      details: {
        calls: options.calls,
        concurrency: options.concurrency,
        accountTokens: 50,
        responseLineBytes: plain.lineBytes,
        plain: { readings: mb(plain.readings), callsPerSecond: round(options.calls / plain.seconds, 0) },
        gc: { readings: mb(gc.readings), callsPerSecond: round(options.calls / gc.seconds, 0) },
      },
    };
  } finally {
    await solarUser.close();
  }
}
