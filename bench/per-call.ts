import { join } from "node:path";
import { listedCount, serverEnv, startAccount, startInProcess, type Account } from "./in-process.js";
import { median, quantile, round, type Row } from "./stats.js";
import { handshake, spawnPeer } from "./stdio-peer.js";

/**
 * 3. Per-call overhead: `tools/call list_tokens` against the same signed GET made directly with
 * SolarNetworkClient, on the same local SolarUser and account (`tokens` tokens: one full default
 * page of 50), in two set-ups:
 * - in-process: the MCP SDK Client over the SDK's in-memory transport to the composed server;
 * - stdio: `node dist/cli.js` as a child process, as a desktop app runs it, called by a bare
 *   newline-delimited JSON-RPC client: adds serialization, the pipe and the child's own event loop.
 * Calls alternate (ABAB, the order swapped every pair) so that both see the same machine; the
 * overhead is the difference of the medians.
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

/** `pairs` alternating calls of both (the order swapped every pair) after `warmup` unrecorded ones. */
export async function alternate(
  ours: () => Promise<unknown>,
  direct: () => Promise<unknown>,
  options: Pick<PerCallOptions, "warmup" | "pairs">,
): Promise<Paired> {
  const samples: Paired = { ours: [], direct: [] };
  const timed = async (fn: () => Promise<unknown>, into: number[] | undefined) => {
    const started = performance.now();
    await fn();
    into?.push(performance.now() - started);
  };
  for (let i = 0; i < options.warmup + options.pairs; i++) {
    const record = i >= options.warmup;
    const first = i % 2 === 0;
    if (first) await timed(ours, record ? samples.ours : undefined);
    await timed(direct, record ? samples.direct : undefined);
    if (!first) await timed(ours, record ? samples.ours : undefined);
  }
  return samples;
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

async function overStdio(options: PerCallOptions): Promise<Paired & { lineBytes: number }> {
  const account = await startAccount(options.tokens);
  const peer = spawnPeer(process.execPath, [join(options.root, "dist", "cli.js")], {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    ...serverEnv(account),
  });
  try {
    await checkedAccount(options, account);
    await handshake(peer);
    await peer.request("tools/list");
    const call = async () => {
      const { bytes, result } = await peer.requestSized("tools/call", { name: "list_tokens", arguments: {} });
      const { isError, structuredContent } = result as { isError?: boolean; structuredContent?: { tokens?: unknown[] } };
      if (isError || structuredContent?.tokens?.length !== Math.min(options.tokens, 50)) throw new Error("per-call: list_tokens over stdio failed");
      return bytes;
    };
    const lineBytes = await call();
    return { ...(await alternate(call, () => account.directFind(), options)), lineBytes };
  } finally {
    await peer.close();
    await account.close();
  }
}

function row(setup: string, samples: Paired, tokens: number): Row {
  const ours = median(samples.ours);
  const peer = median(samples.direct);
  const added = ours - peer;
  return {
    section: "per-call",
    figure: `list_tokens ${setup} vs direct signed GET (${tokens} tokens)`,
    ours: round(ours, 3),
    unit: "ms/call",
    peer: "SolarNetworkClient GET /find",
    peerValue: round(peer, 3),
    ratioOf: "ours/peer time",
    ratio: round(ours / peer, 2),
    target: "added ≤ 1 ms",
    pass: added <= 1,
    note: `added ${round(added, 3)} ms (median)`,
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
  return {
    rows: [row("in process (SDK Client, in-memory transport)", memory, options.tokens), row("over stdio (node dist/cli.js)", stdio, options.tokens)],
    details: {
      tokens: options.tokens,
      pairs: options.pairs,
      inProcess: pairedDetail(memory),
      stdio: { ...pairedDetail(stdio), responseLineBytes: stdio.lineBytes },
    },
  };
}
