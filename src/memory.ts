import { setFlagsFromString } from "node:v8";

/**
 * Stdio mode only: one client, one call at a time, a long-lived process. Each V8 flag is kept only
 * where it paid on both CPU and memory at 50 and at 10,000 tokens (bench/README.md, "V8 flags").
 * `--optimize-for-size` with `--semi-space-growth-factor=1` held 27–35 MB less but cost CPU at both
 * sizes (about 4% per call at 50 tokens, 90% at 10,000, where the server parses a 2 MB reply); the
 * growth factor alone does not keep the young generation small. Set after the modules have loaded,
 * so start-up is not slowed. Not for HTTP mode, which serves several clients at once. Node does not
 * promise that flags changed at run time take effect: test/memory.test.ts checks that this one does.
 */
export const STDIO_V8_FLAGS: readonly string[] = [
  // undici's HTTP parser is WebAssembly, compiled at the first request: with its baseline compiler
  // only, the optimizing one's memory is never taken (a few MB less resident, no slower per call).
  "--liftoff-only",
];

export function favourMemoryOverSpeed(): void {
  for (const flag of STDIO_V8_FLAGS) setFlagsFromString(flag);
}
