import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listedCount, serverEnv, startAccount, startInProcess, type Account } from "./in-process.js";
import { median, quantile, round, type Row } from "./stats.js";
import { handshake, spawnPeer, type StdioPeer } from "./stdio-peer.js";

/**
 * 3. Per-call overhead: `tools/call list_tokens` against the same signed GET made directly with
 * SolarNetworkClient, on the same local SolarUser and account (`tokens` tokens: one full default
 * page of 50), in two set-ups:
 * - in-process: the MCP SDK Client over the SDK's in-memory transport to the composed server;
 * - stdio: `node dist/cli.js` as a child process, as a desktop app runs it, called by a bare
 *   newline-delimited JSON-RPC client: adds serialization, the pipe and the child's own event loop.
 *   Its yardstick is a bare stdio process making the same GET (bench/stdio-floor.ts), which pays
 *   the pipe, a second event loop and HTTP between processes as ours does; the direct GET in the
 *   bench process, which pays none of them, is shown beside it.
 * Calls alternate (ABAB, the order swapped every pair; ABCCBA for three) so that every variant sees
 * the same machine; the overhead is the difference of the medians.
 */

export interface PerCallOptions {
  root: string;
  tokens: number;
  warmup: number;
  pairs: number;
}

export interface Paired {
  ours: number[];
  direct: number[];
}

/**
 * `pairs` rounds of one call of each (in the given order, then reversed, and so on) after `warmup`
 * unrecorded rounds: every variant sees the same machine.
 */
export async function interleave<Name extends string>(
  variants: Record<Name, () => Promise<unknown>>,
  options: Pick<PerCallOptions, "warmup" | "pairs">,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(variants) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let i = 0; i < options.warmup + options.pairs; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) {
      const started = performance.now();
      await variants[name]();
      if (i >= options.warmup) samples[name].push(performance.now() - started);
    }
  }
  return samples;
}

/** `pairs` alternating calls of both (ABAB, the order swapped every pair) after `warmup` unrecorded ones. */
export function alternate(ours: () => Promise<unknown>, direct: () => Promise<unknown>, options: Pick<PerCallOptions, "warmup" | "pairs">): Promise<Paired> {
  return interleave({ ours, direct }, options);
}

async function checkedAccount(options: PerCallOptions, account: Account): Promise<void> {
  const found = await account.directFind();
  if (found?.results?.length !== options.tokens) throw new Error("per-call: the direct GET did not return the account");
}

async function inProcess(options: PerCallOptions): Promise<Paired> {
  const bench = await startInProcess(options.tokens);
  try {
    await checkedAccount(options, bench);
    const first = await bench.listTokens();
    if (listedCount(first) !== Math.min(options.tokens, 50)) throw new Error(`per-call: ${listedCount(first)} tokens listed in process`);
    return await alternate(() => bench.listTokens(), () => bench.directFind(), options);
  } finally {
    await bench.close();
  }
}

interface OverStdio {
  ours: number[];
  floor: number[];
  direct: number[];
  lineBytes: { ours: number; floor: number };
}

async function overStdio(options: PerCallOptions): Promise<OverStdio> {
  const account = await startAccount(options.tokens);
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...serverEnv(account) };
  const ours = spawnPeer(process.execPath, [join(options.root, "dist", "cli.js")], env);
  // Built beside this bench by bench/bench.mjs.
  const floor = spawnPeer(process.execPath, [fileURLToPath(new URL("./stdio-floor.js", import.meta.url))], env);
  try {
    await checkedAccount(options, account);
    await handshake(ours);
    await ours.request("tools/list");
    // Ours answers a page of 50; the floor, SolarNetwork's whole /find reply.
    const call = (peer: StdioPeer, listed: "tokens" | "results", count: number) => async () => {
      const { bytes, result } = await peer.requestSized("tools/call", { name: "list_tokens", arguments: {} });
      const { isError, structuredContent } = result as { isError?: boolean; structuredContent?: Record<string, unknown[] | undefined> };
      if (isError || structuredContent?.[listed]?.length !== count) throw new Error("per-call: list_tokens over stdio failed");
      return bytes;
    };
    const oursCall = call(ours, "tokens", Math.min(options.tokens, 50));
    const floorCall = call(floor, "results", options.tokens);
    const lineBytes = { ours: await oursCall(), floor: await floorCall() };
    return { ...(await interleave({ ours: oursCall, floor: floorCall, direct: () => account.directFind() }, options)), lineBytes };
  } finally {
    await Promise.all([ours.close(), floor.close()]);
    await account.close();
  }
}

function row(figure: string, ours: number[], peer: { name: string; samples: number[] }, target: boolean, note = ""): Row {
  const oursMs = median(ours);
  const peerMs = median(peer.samples);
  const added = oursMs - peerMs;
  return {
    section: "per-call",
    figure,
    ours: round(oursMs, 3),
    unit: "ms/call",
    peer: peer.name,
    peerValue: round(peerMs, 3),
    ratioOf: "ours/peer time",
    ratio: round(oursMs / peerMs, 2),
    target: target ? "added ≤ 1 ms" : "—",
    pass: target ? added <= 1 : null,
    note: `added ${round(added, 3)} ms (median)${note}`,
  };
}

export function pairedDetail(samples: Paired) {
  return {
    medianMs: { mcp: round(median(samples.ours), 3), direct: round(median(samples.direct), 3), added: round(median(samples.ours) - median(samples.direct), 3) },
    p90Ms: { mcp: round(quantile(samples.ours, 0.9), 3), direct: round(quantile(samples.direct, 0.9), 3) },
    medianPairedDifferenceMs: round(median(samples.ours.map((value, i) => value - (samples.direct[i] as number))), 3),
  };
}

export async function benchPerCall(options: PerCallOptions): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const memory = await inProcess(options);
  const stdio = await overStdio(options);
  const direct = { name: "SolarNetworkClient GET /find", samples: memory.direct };
  const floorAdded = round(median(stdio.floor) - median(stdio.direct), 3);
  return {
    rows: [
      row(`list_tokens in process (SDK Client, in-memory transport) vs direct signed GET (${options.tokens} tokens)`, memory.ours, direct, true),
      {
        ...row(
          `list_tokens over stdio (node dist/cli.js) vs a lean stdio forwarder making the same signed GET (${options.tokens} tokens)`,
          stdio.ours,
          { name: "bench/stdio-floor.ts (reads JSON-RPC, signs with undici, passes /find's reply through)", samples: stdio.floor },
          true,
          `; lines of ${stdio.lineBytes.ours} and ${stdio.lineBytes.floor} B`,
        ),
        headline: true,
        target: "≤ 1.5×",
        pass: median(stdio.ours) / median(stdio.floor) <= 1.5,
      },
      row(
        `list_tokens over stdio (node dist/cli.js) vs direct signed GET in the bench process (${options.tokens} tokens)`,
        stdio.ours,
        { name: "SolarNetworkClient GET /find", samples: stdio.direct },
        false,
        `; the bare stdio process alone adds ${floorAdded} ms`,
      ),
    ],
    details: {
      tokens: options.tokens,
      pairs: options.pairs,
      inProcess: pairedDetail(memory),
      stdio: {
        ...pairedDetail({ ours: stdio.ours, direct: stdio.direct }),
        floor: pairedDetail({ ours: stdio.ours, direct: stdio.floor }),
        floorAddedMs: floorAdded,
        responseLineBytes: stdio.lineBytes,
      },
    },
  };
}
