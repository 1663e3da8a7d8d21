import { spawn } from "node:child_process";
import { join } from "node:path";
import { handshake, spawnPeer } from "./stdio-peer.js";
import { median, quantile, round, type Row } from "./stats.js";
import { hygieneTools } from "../src/tools/hygiene/index.js";
import { SOLARNETWORK_TOOLS } from "../src/backends/solarnetwork/tools/index.js";

/**
 * 2. Cold start: from just before spawn() to the answer to the first tools/list (after initialize
 * and notifications/initialized, as a client does), over stdio; and to the first tool result (the
 * same, then one call: ours list_tokens on a 50-token account, server-everything's echo). Peers: bare `node -e 0` (spawn to
 * exit) and @modelcontextprotocol/server-everything in stdio mode. Every process gets the same small
 * environment (PATH, HOME; our server its SN_* settings too): an inherited NODE_EXTRA_CA_CERTS, for
 * one, makes Node read a CA bundle at start-up (40-55 ms on Node 20), which would inflate the
 * yardstick. Bare Node with the bench's own environment is timed too, for the record (details
 * only). Variants are run in turn, one process at a time, in a rotating order, `rounds` times after
 * one unrecorded warm-up round.
 */

/** What the default configuration lists: a server that lists fewer did not start as shipped. */
const OUR_TOOLS = SOLARNETWORK_TOOLS.length + hygieneTools(SOLARNETWORK_TOOLS, { canDisable: true, ends: "delete" }).length;

export interface ColdStartOptions {
  root: string;
  rounds: number;
  /** SN_URL, SN_TOKEN, SN_TOKEN_SECRET for our server. */
  serverEnv: Record<string, string>;
}

function bareNode(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["-e", "0"], { env, stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve(performance.now() - started));
  });
}

async function toFirstToolsList(args: string[], env: Record<string, string>, expectTools: number | undefined): Promise<number> {
  const peer = spawnPeer(process.execPath, args, env);
  try {
    await handshake(peer);
    const result = (await peer.request("tools/list")) as { tools: unknown[] };
    const elapsed = performance.now() - peer.spawnedAt;
    if (expectTools !== undefined && result.tools.length !== expectTools) {
      throw new Error(`expected ${expectTools} tools from ${args.join(" ")}, got ${result.tools.length}`);
    }
    if (result.tools.length === 0) throw new Error(`no tools from ${args.join(" ")}`);
    return elapsed;
  } finally {
    await peer.close();
  }
}

/** Spawn to the first tool result: handshake, tools/list, then one call, as a client's first use. */
async function toFirstResult(args: string[], env: Record<string, string>, call: { name: string; arguments: Record<string, unknown> }, check: (result: unknown) => boolean): Promise<number> {
  const peer = spawnPeer(process.execPath, args, env);
  try {
    await handshake(peer);
    await peer.request("tools/list");
    const result = await peer.request("tools/call", call);
    const elapsed = performance.now() - peer.spawnedAt;
    if (!check(result)) throw new Error(`unexpected first result from ${args.join(" ")}: ${JSON.stringify(result).slice(0, 300)}`);
    return elapsed;
  } finally {
    await peer.close();
  }
}

/** Tokens in the account the first list_tokens reads (one default page). */
export const FIRST_RESULT_TOKENS = 50;

export async function benchColdStart(options: ColdStartOptions): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  const ourEnv = { ...base, ...options.serverEnv };
  const everythingJs = join(options.root, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
  const variants: Record<string, () => Promise<number>> = {
    bare: () => bareNode(base),
    bareInheritedEnv: () => bareNode(process.env),
    dist: () => toFirstToolsList([join(options.root, "dist", "cli.js")], ourEnv, OUR_TOOLS),
    everything: () => toFirstToolsList([everythingJs, "stdio"], base, undefined),
    firstResult: () =>
      toFirstResult([join(options.root, "dist", "cli.js")], ourEnv, { name: "list_tokens", arguments: {} }, (result) => {
        const tokens = (result as { structuredContent?: { tokens?: unknown[] } }).structuredContent?.tokens;
        return tokens?.length === FIRST_RESULT_TOKENS;
      }),
    everythingFirstResult: () =>
      toFirstResult([everythingJs, "stdio"], base, { name: "echo", arguments: { message: "sn-tokens-mcp bench" } }, (result) => (result as { isError?: boolean }).isError !== true),
  };
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = -1; round < options.rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(round, 0)) % names.length] as string;
      const ms = await (variants[name] as () => Promise<number>)();
      if (round >= 0) (samples[name] as number[]).push(ms);
    }
  }
  const med = Object.fromEntries(names.map((name) => [name, median(samples[name] as number[])])) as Record<string, number>;
  const bare = med.bare as number;
  const budget = 1.5 * bare + 100;
  const ours = med.dist as number;
  const label = "dist/cli.js (esbuild bundle, as shipped)";
  const rows: Row[] = [
    {
      section: "cold start",
      figure: `Cold start to tools/list: ${label}`,
      ours: round(ours, 0),
      unit: "ms",
      peer: "node -e 0",
      peerValue: round(bare, 0),
      ratioOf: "ours/peer time",
      ratio: round(ours / bare, 2),
      target: `≤ 1.5×+100 ms (${Math.round(budget)} ms)`,
      pass: ours <= budget,
    },
    {
      section: "cold start",
      figure: `Cold start to tools/list: ${label}`,
      ours: round(ours, 0),
      unit: "ms",
      peer: "@modelcontextprotocol/server-everything",
      peerValue: round(med.everything as number, 0),
      ratioOf: "ours/peer time",
      ratio: round(ours / (med.everything as number), 2),
      target: "< 1× (faster)",
      pass: ours < (med.everything as number),
    },
    {
      section: "cold start",
      headline: true,
      figure: `Spawn to the first list_tokens result (${FIRST_RESULT_TOKENS} tokens, a real signed GET): ${label}`,
      ours: round(med.firstResult as number, 0),
      unit: "ms",
      peer: "server-everything, spawn to the first echo result",
      peerValue: round(med.everythingFirstResult as number, 0),
      ratioOf: "ours/peer time",
      ratio: round((med.firstResult as number) / (med.everythingFirstResult as number), 2),
      target: "≤ 0.6×",
      pass: (med.firstResult as number) / (med.everythingFirstResult as number) <= 0.6,
      note: "both after initialize, notifications/initialized and tools/list",
    },
  ];
  return {
    rows,
    details: {
      rounds: options.rounds,
      environment: Object.keys(base),
      inheritedNodeVariables: Object.keys(process.env).filter((name) => name.startsWith("NODE_")),
      medianMs: Object.fromEntries(names.map((name) => [name, round(med[name] as number, 1)])),
      p90Ms: Object.fromEntries(names.map((name) => [name, round(quantile(samples[name] as number[], 0.9), 1)])),
      samplesMs: Object.fromEntries(names.map((name) => [name, (samples[name] as number[]).map((value) => round(value, 1))])),
    },
  };
}
