import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchColdStart, FIRST_RESULT_TOKENS } from "./cold-start.js";
import { benchHttpThroughput } from "./http-throughput.js";
import { benchHttpTail } from "./http-tail.js";
import { serverEnv, startAccount } from "./in-process.js";
import { benchListing } from "./listing.js";
import { benchMemory } from "./memory.js";
import { benchPerCall } from "./per-call.js";
import { benchScale } from "./scale.js";
import { benchSigning } from "./signing.js";
import { benchVast } from "./vast.js";
import type { Row } from "./stats.js";

/**
 * `npm run bench`: the benchmarks (see bench/README.md), each figure beside a named peer measured in
 * the same run, as ratios. Prints one table and writes the same rows (plus details) to
 * bench/results.json. `--only signing,cold,listing,call,vast,http,scale,memory` runs a subset.
 */

const SECTIONS = ["signing", "cold", "listing", "call", "vast", "http", "scale", "memory"] as const;
type Section = (typeof SECTIONS)[number];

// This file runs as node_modules/.cache/sn-tokens-mcp-bench/run.js (see bench/bench.mjs).
const root = fileURLToPath(new URL("../../../", import.meta.url));
const { values } = parseArgs({ options: { only: { type: "string" } } });
const only = new Set((values.only ?? SECTIONS.join(",")).split(",").map((name) => name.trim()) as Section[]);
for (const name of only) if (!SECTIONS.includes(name)) throw new Error(`--only: unknown section ${name}; use ${SECTIONS.join(",")}`);

function machine() {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return {
    nproc: availableParallelism(),
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const started = performance.now();
const progress = (message: string) => process.stderr.write(`bench: ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
const rows: Row[] = [];
const details: Record<string, unknown> = {};

if (only.has("signing")) {
  progress("signing");
  const result = benchSigning({ rounds: 15, msPerRound: 100 });
  rows.push(...result.rows);
  details.signing = result.details;
}
if (only.has("cold")) {
  progress("cold start");
  // Start-up sends no request; the first list_tokens result reads this account.
  const account = await startAccount(FIRST_RESULT_TOKENS);
  try {
    const result = await benchColdStart({ root, rounds: 15, serverEnv: serverEnv(account) });
    rows.push(...result.rows);
    details.coldStart = result.details;
  } finally {
    await account.close();
  }
}
if (only.has("listing")) {
  progress("tool listing");
  const account = await startAccount(1);
  try {
    const result = await benchListing({ root, serverEnv: serverEnv(account) });
    rows.push(...result.rows);
    details.listing = result.details;
  } finally {
    await account.close();
  }
}
if (only.has("call")) {
  progress("per-call overhead");
  const result = await benchPerCall({ root, tokens: 50, warmup: 300, pairs: 1_000 });
  rows.push(...result.rows);
  details.perCall = result.details;
}
if (only.has("vast")) {
  progress("VAST list/create path");
  const result = await benchVast({ tokens: 50, warmup: 300, pairs: 1_000, writeWarmup: 50, writePairs: 300 });
  rows.push(...result.rows);
  details.vast = result.details;
}
if (only.has("http")) {
  progress("HTTP mode throughput");
  const account = await startAccount(50);
  try {
    const result = await benchHttpThroughput({ root, account, requests: 2_000, concurrency: 16 });
    const tail = await benchHttpTail({ root, account, clients: 50, seconds: 20 });
    rows.push(...tail.rows, ...result.rows);
    details.http = { ...result.details, tail: tail.details };
  } finally {
    await account.close();
  }
}
if (only.has("scale")) {
  progress("scale");
  const result = await benchScale({
    root,
    sizes: [100, 1_000, 10_000, 50_000],
    callsFor: (tokens) => (tokens <= 100 ? 60 : tokens <= 1_000 ? 40 : tokens <= 10_000 ? 25 : 10),
    budgetMs: 15_000,
  });
  rows.push(...result.rows);
  details.scale = result.details;
}
if (only.has("memory")) {
  progress("memory");
  const result = await benchMemory({ root, calls: 10_000, peerCalls: 4_500 });
  rows.push(...result.rows);
  details.memory = result.details;
}

const seconds = (performance.now() - started) / 1000;
progress("done");

// ---------------------------------------------------------------------------------------------
// The table

const format = (value: number | null, unit = "") => (value === null ? "—" : `${value.toLocaleString("en", { maximumFractionDigits: 3 })}${unit ? ` ${unit}` : ""}`);
const header = ["figure", "ours", "peer", "peer value", "ratio", "target", "result"];
// The headline (the figures a user feels, issue #21) first, then every row.
const printed = [...rows.filter((row) => row.headline), ...rows.filter((row) => !row.headline)];
const table = printed.map((row) => [
  row.figure,
  format(row.ours, row.unit),
  row.peer,
  format(row.peerValue, row.unit),
  row.ratio === null ? "—" : `${format(row.ratio)}× (${row.ratioOf})`,
  row.target,
  (row.pass === null ? "info" : row.pass ? "PASS" : "FAIL") + (row.note ? ` — ${row.note}` : ""),
]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => (cells[column] as string).length)));
const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number))).join(" | ");
const info = machine();
console.log(`sn-tokens-mcp bench — ${new Date().toISOString()} — ${info.nproc} × ${info.cpu}, ${info.memoryGiB} GiB, Node ${info.node}`);
console.log(line(header));
console.log(widths.map((width) => "-".repeat(width)).join("-|-"));
const headlines = printed.filter((row) => row.headline).length;
table.forEach((cells, index) => {
  if (index === 0 && headlines > 0) console.log(`— headline (${headlines} rows) —`);
  if (index === headlines && headlines > 0) console.log("— every other figure —");
  console.log(line(cells));
});
const failed = rows.filter((row) => row.pass === false).length;
const passed = rows.filter((row) => row.pass === true).length;
const headlineMet = printed.filter((row) => row.headline && row.pass === true).length;
if (headlines > 0) console.log(`Headline: ${headlineMet} of ${headlines} met.`);
console.log(`${passed} targets met, ${failed} missed; bench ran in ${seconds.toFixed(1)} s (build not included).`);

const resultsPath = join(root, "bench", "results.json");
writeFileSync(resultsPath, JSON.stringify({ date: new Date().toISOString(), machine: info, seconds: Math.round(seconds * 10) / 10, rows, details }, null, 2) + "\n");
console.log(`Results: ${resultsPath}`);
