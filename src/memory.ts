import { setFlagsFromString } from "node:v8";

/**
 * Stdio mode only: one client, one call at a time, a long-lived process. V8 grows a busy server's
 * young generation to 2 × 16 MB; kept at its start size (and with V8 favouring size), the process
 * holds about a quarter less memory at some 15% more CPU per call (measured, bench/README.md). Set
 * after the modules have loaded, so start-up is not slowed. Not for HTTP mode, which serves
 * several clients at once and wants the throughput. Node does not promise that flags changed at
 * run time take effect: test/memory.test.ts checks that the young generation stays small.
 */
export const STDIO_V8_FLAGS: readonly string[] = [
  "--optimize-for-size",
  "--semi-space-growth-factor=1",
  // undici's HTTP parser is WebAssembly, compiled at the first request: with its baseline compiler
  // only, the optimizing one's memory is never taken (about 7 MB less resident, no slower per call).
  "--liftoff-only",
];

export function favourMemoryOverSpeed(): void {
  for (const flag of STDIO_V8_FLAGS) setFlagsFromString(flag);
}
