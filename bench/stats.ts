/** Small measuring helpers: medians, time-bounded batches, the result row type. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number;
}

/**
 * Nanoseconds per call of `fn`, run in batches of `batch` calls until at least `minMs` have passed
 * (and at least one batch). `fn` returns something so that its work cannot be optimised away.
 */
export function nsPerOp(fn: () => unknown, minMs: number, batch = 100): number {
  let sink = 0;
  let ops = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(minMs * 1e6));
  let now = started;
  do {
    for (let i = 0; i < batch; i++) {
      const value = fn();
      if (typeof value === "string") sink += value.length;
    }
    ops += batch;
    now = process.hrtime.bigint();
  } while (now < deadline);
  if (sink < 0) console.error(sink);
  return Number(now - started) / ops;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One line of the results table. */
export interface Row {
  /** Which benchmark. */
  section: "signing" | "cold start" | "per-call" | "http" | "scale" | "memory" | "listing" | "vast";
  /** One of the figures a user feels (issue #21): printed first, in the headline table. */
  headline?: true;
  figure: string;
  ours: number;
  unit: string;
  peer: string;
  peerValue: number | null;
  /** How `ratio` is formed, e.g. "peer/ours" or "ours/peer". */
  ratioOf: string;
  ratio: number | null;
  target: string;
  /** null: an informative row with no target of its own. */
  pass: boolean | null;
  note?: string;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
