import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { listedCount, serverEnv, startAccount, startInProcess, wireBytes } from "./in-process.js";
import { plainReading } from "./memory.js";
import { handshake, spawnPeer, vmRss } from "./stdio-peer.js";
import { median, round, type Row } from "./stats.js";

/**
 * 4. Scale of list_tokens, over stdio as shipped (`node dist/cli.js`, its V8 flags and all). For
 * accounts of 100, 1,000, 10,000 and 50,000 tokens (seeded straight into the local SolarUser's
 * store): the time of one default call (a page of 50; SolarNetwork's /find returns the whole
 * account, which the server filters and pages), beside the same signed GET made directly in the
 * bench process, alternating, at most `callsFor(tokens)` calls of each and at most `budgetMs` per
 * size; then the server's settled RSS (median of 5 samples after 200 ms idle) and its peak (VmHWM).
 * Linearity is the marginal cost of a token: (t(10,000) - t(1,000)) / 9,000 against
 * (t(1,000) - t(100)) / 900; a fixed cost per call cancels out, so a cost per token that grows with
 * the account shows as a ratio above 1. Output size, per listed token, for the default page (50),
 * a full page (limit 500) and minimal tokens, against SolarNetwork's own /find JSON for the same
 * tokens: the default text rendering (what the model reads), and beside it the whole result on the
 * wire (the text JSON-escaped, plus structuredContent: MCP asks for both, so each token travels twice).
 */

const DEFAULT_PAGE = 50;
const FULL_PAGE = 500;

interface SizeResult {
  tokens: number;
  calls: number;
  msPerCall: number;
  directMsPerCall: number;
  usPerToken: number;
  directUsPerToken: number;
  /** Our part: call minus direct GET, per token. */
  addedUsPerToken: number;
  /** The server's resident memory after the calls, settled, and its peak. */
  rssMB: number;
  peakRssMB: number;
}

interface TokenBytes {
  renderingPerToken: number;
  perToken: number;
  textPerToken: number;
  structuredPerToken: number;
  listed: number;
  upstreamPerToken: number;
}

function perToken(result: CallToolResult, upstreamPerToken: number): TokenBytes {
  const size = wireBytes(result);
  const listed = listedCount(result);
  return {
    renderingPerToken: size.rendering / listed,
    perToken: size.total / listed,
    textPerToken: size.text / listed,
    structuredPerToken: size.structured / listed,
    listed,
    upstreamPerToken,
  };
}

const MB = 1024 * 1024;

export async function benchScale(options: {
  root: string;
  sizes: number[];
  callsFor: (tokens: number) => number;
  budgetMs: number;
}): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const sizes: SizeResult[] = [];
  let bytes: Record<string, TokenBytes> = {};
  let fullPageMs = Number.NaN;
  const bytesAt = options.sizes.includes(10_000) ? 10_000 : Math.max(...options.sizes);

  for (const tokens of options.sizes) {
    const account = await startAccount(tokens);
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...serverEnv(account) };
    const server = spawnPeer(process.execPath, [join(options.root, "dist", "cli.js")], env);
    try {
      await handshake(server);
      await server.request("tools/list");
      const listTokens = async (args: Record<string, unknown> = {}) => {
        const result = (await server.request("tools/call", { name: "list_tokens", arguments: args })) as CallToolResult;
        if (result.isError) throw new Error(`scale: list_tokens failed: ${JSON.stringify(result.content).slice(0, 300)}`);
        return result;
      };
      const first = await listTokens();
      if (listedCount(first) !== Math.min(DEFAULT_PAGE, tokens)) throw new Error(`scale: ${tokens} tokens, ${listedCount(first)} listed`);
      await account.directFind();
      const ours: number[] = [];
      const direct: number[] = [];
      const until = performance.now() + options.budgetMs;
      for (let i = 0; i < options.callsFor(tokens) && (i < 3 || performance.now() < until); i++) {
        const pair = [
          async () => {
            const started = performance.now();
            await listTokens();
            ours.push(performance.now() - started);
          },
          async () => {
            const started = performance.now();
            await account.directFind();
            direct.push(performance.now() - started);
          },
        ];
        for (const run of i % 2 === 0 ? pair : pair.reverse()) await run();
      }
      const settled = await plainReading(server);
      const peak = await vmRss(server.pid, "VmHWM");
      const msPerCall = median(ours);
      const directMsPerCall = median(direct);
      sizes.push({
        tokens,
        calls: ours.length,
        msPerCall,
        directMsPerCall,
        usPerToken: (msPerCall * 1000) / tokens,
        directUsPerToken: (directMsPerCall * 1000) / tokens,
        addedUsPerToken: ((msPerCall - directMsPerCall) * 1000) / tokens,
        rssMB: round(settled.rss / MB, 1),
        peakRssMB: round(peak / MB, 1),
      });

      if (tokens === bytesAt) {
        const upstream = await account.directFind();
        const upstreamPerToken = Buffer.byteLength(JSON.stringify(upstream?.results ?? []), "utf8") / tokens;
        bytes = { page50: perToken(first, upstreamPerToken) };
        const started = performance.now();
        const full = await listTokens({ limit: FULL_PAGE });
        fullPageMs = performance.now() - started;
        bytes.page500 = perToken(full, upstreamPerToken);
      }
    } finally {
      await server.close();
      await account.close();
    }
  }

  // Minimal tokens (no name, description or policy): the floor of the format.
  const minimal = await startInProcess(DEFAULT_PAGE, "minimal");
  try {
    const result = await minimal.listTokens();
    const upstream = await minimal.directFind();
    bytes.minimal50 = perToken(result, Buffer.byteLength(JSON.stringify(upstream?.results ?? []), "utf8") / DEFAULT_PAGE);
  } finally {
    await minimal.close();
  }

  const rows: Row[] = sizes.map((size) => {
    const ratio = size.msPerCall / size.directMsPerCall;
    const judged = size.tokens === 10_000;
    return {
      section: "scale",
      ...(judged ? { headline: true as const } : {}),
      figure: `list_tokens over stdio (node dist/cli.js, as shipped), ${size.tokens.toLocaleString("en")} tokens: time per call`,
      ours: round(size.msPerCall, 2),
      unit: "ms/call",
      peer: "the same signed GET /find, made directly",
      peerValue: round(size.directMsPerCall, 2),
      ratioOf: "ours/peer time",
      ratio: round(ratio, 2),
      target: judged ? "≤ 1.5×" : "—",
      pass: judged ? ratio <= 1.5 : null,
      note: `${size.calls} calls; ${round(size.usPerToken, 2)} µs/token (ours ${round(size.addedUsPerToken, 2)} µs/token above the GET); server RSS ${size.rssMB} MB settled, ${size.peakRssMB} MB peak`,
    };
  });
  const largest = sizes.find((size) => size.tokens === 50_000);
  if (largest) {
    rows.push({
      section: "scale",
      headline: true,
      figure: "Server RSS with 50,000 tokens in the account, settled after list_tokens calls over stdio (VmRSS)",
      ours: largest.rssMB,
      unit: "MB",
      peer: "—",
      peerValue: null,
      ratioOf: "",
      ratio: null,
      target: "≤ 100 MB",
      pass: largest.rssMB <= 100,
      note: `peak (VmHWM) ${largest.peakRssMB} MB; ${largest.calls} calls`,
    });
  }
  const at = (tokens: number) => sizes.find((size) => size.tokens === tokens) as SizeResult;
  const [small, middle, large] = [at(100), at(1_000), at(10_000)];
  const marginal = (from: SizeResult, to: SizeResult, ms: (size: SizeResult) => number) => ((ms(to) - ms(from)) * 1000) / (to.tokens - from.tokens);
  const ours = (size: SizeResult) => size.msPerCall;
  const direct = (size: SizeResult) => size.directMsPerCall;
  const high = marginal(middle, large, ours);
  const low = marginal(small, middle, ours);
  const span = (from: SizeResult, to: SizeResult) => `${from.tokens.toLocaleString("en")}→${to.tokens.toLocaleString("en")}`;
  rows.push({
    section: "scale",
    figure: `list_tokens marginal time per token, ${span(middle, large)} tokens`,
    ours: round(high, 2),
    unit: "µs/token",
    peer: `same, ${span(small, middle)} tokens`,
    peerValue: round(low, 2),
    ratioOf: "large/small marginal",
    ratio: round(high / low, 2),
    target: "≤ 1.25 (linear)",
    pass: high / low <= 1.25,
    note: `the direct GET alone: ${round(marginal(middle, large, direct), 2)} vs ${round(marginal(small, middle, direct), 2)} µs/token (${round(marginal(middle, large, direct) / marginal(small, middle, direct), 2)})`,
  });
  for (const [key, label] of [
    ["page50", "default page of 50, mixed tokens"],
    ["page500", "full page of 500, mixed tokens"],
    ["minimal50", "page of 50, minimal tokens (no name, no policy)"],
  ] as const) {
    const figure = bytes[key];
    if (!figure) continue;
    const upstream = {
      peer: "SolarNetwork /find JSON, same tokens",
      peerValue: round(figure.upstreamPerToken, 0),
      ratioOf: "ours/peer bytes",
    };
    rows.push(
      {
        section: "scale",
        figure: `list_tokens text rendering (default), bytes per listed token: ${label}`,
        ours: round(figure.renderingPerToken, 0),
        unit: "B/token",
        ...upstream,
        ratio: round(figure.renderingPerToken / figure.upstreamPerToken, 2),
        target: "≤ 300 B/token",
        pass: figure.renderingPerToken <= 300,
      },
      {
        section: "scale",
        figure: `list_tokens whole result on the wire, bytes per listed token: ${label}`,
        ours: round(figure.perToken, 0),
        unit: "B/token",
        ...upstream,
        ratio: round(figure.perToken / figure.upstreamPerToken, 2),
        target: "—",
        pass: null,
        note: `escaped text ${round(figure.textPerToken, 0)} + structuredContent ${round(figure.structuredPerToken, 0)}`,
      },
    );
  }
  return {
    rows,
    details: {
      sizes: sizes.map((size) => ({
        ...size,
        msPerCall: round(size.msPerCall, 3),
        directMsPerCall: round(size.directMsPerCall, 3),
        usPerToken: round(size.usPerToken, 3),
        directUsPerToken: round(size.directUsPerToken, 3),
        addedUsPerToken: round(size.addedUsPerToken, 3),
      })),
      fullPageMsAtLargest: round(fullPageMs, 2),
      bytes,
    },
  };
}
