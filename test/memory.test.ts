import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Stdio mode keeps undici's WebAssembly HTTP parser on V8's baseline compiler (src/memory.ts),
 * through a flag set at run time, which Node does not promise to honour: a probe shows which
 * compiler runs a hot WebAssembly function with the flag set and, as the control, without it.
 */

const WASM_TIER_PROBE = fileURLToPath(new URL("./support/wasm-tier-probe.mjs", import.meta.url));

describe("stdio mode memory", () => {
  it("keeps hot WebAssembly (undici's HTTP parser) on V8's baseline compiler, where ignored flags would optimize it", () => {
    const tier = (...args: string[]) => execFileSync(process.execPath, ["--allow-natives-syntax", WASM_TIER_PROBE, ...args], { encoding: "utf8" });
    expect(tier(), "the control did not tier up: the probe no longer shows the flag's effect").toBe("turbofan");
    expect(tier("favoured")).toBe("liftoff");
  });
});
