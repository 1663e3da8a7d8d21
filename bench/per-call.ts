import { listedCount, startInProcess } from "./in-process.js";
import { median, quantile, round, type Row } from "./stats.js";

/**
 * 3. Per-call overhead: `tools/call list_tokens` through the MCP SDK Client (in memory) against the
 * same signed GET made directly with SolarNetworkClient, on the same local SolarUser and account
 * (`tokens` tokens: one full default page of 50). Calls alternate (ABAB, the order swapped every
 * pair) so that both see the same machine; the overhead is the difference of the medians.
 */
export async function benchPerCall(options: { tokens: number; warmup: number; pairs: number }): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const bench = await startInProcess(options.tokens);
  try {
    const first = await bench.listTokens();
    const expected = Math.min(options.tokens, 50);
    if (listedCount(first) !== expected) throw new Error(`per-call: expected ${expected} listed tokens, got ${listedCount(first)}`);
    const found = await bench.directFind();
    if (found?.results?.length !== options.tokens) throw new Error("per-call: the direct GET did not return the account");

    const mcp: number[] = [];
    const direct: number[] = [];
    const timed = async (fn: () => Promise<unknown>, into: number[] | undefined) => {
      const started = performance.now();
      await fn();
      into?.push(performance.now() - started);
    };
    for (let i = 0; i < options.warmup + options.pairs; i++) {
      const record = i >= options.warmup;
      if (i % 2 === 0) {
        await timed(() => bench.listTokens(), record ? mcp : undefined);
        await timed(() => bench.directFind(), record ? direct : undefined);
      } else {
        await timed(() => bench.directFind(), record ? direct : undefined);
        await timed(() => bench.listTokens(), record ? mcp : undefined);
      }
    }
    const ours = median(mcp);
    const peer = median(direct);
    const added = ours - peer;
    return {
      rows: [
        {
          section: "per-call",
          figure: `list_tokens via MCP client vs direct signed GET (${options.tokens} tokens)`,
          ours: round(ours, 3),
          unit: "ms/call",
          peer: "SolarNetworkClient GET /find",
          peerValue: round(peer, 3),
          ratioOf: "ours/peer time",
          ratio: round(ours / peer, 2),
          target: "added ≤ 1 ms",
          pass: added <= 1,
          note: `added ${round(added, 3)} ms (median)`,
        },
      ],
      details: {
        tokens: options.tokens,
        pairs: options.pairs,
        medianMs: { mcp: round(ours, 3), direct: round(peer, 3), added: round(added, 3) },
        p90Ms: { mcp: round(quantile(mcp, 0.9), 3), direct: round(quantile(direct, 0.9), 3) },
        medianPairedDifferenceMs: round(median(mcp.map((value, i) => value - (direct[i] as number))), 3),
      },
    };
  } finally {
    await bench.close();
  }
}
