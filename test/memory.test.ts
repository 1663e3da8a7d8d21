import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handshake, spawnPeer } from "../bench/stdio-peer.js";
import { seedAccount, seedAdmin } from "../bench/seed.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";

/**
 * Stdio mode keeps V8's young generation at its start size (src/memory.ts), through flags set at
 * run time, which Node does not promise to honour. Measured in the real bundle over real stdio:
 * the new space after enough list_tokens calls to grow it, beside a control run in which
 * v8.setFlagsFromString does nothing (test/support/new-space-probe.mjs), as under a Node that
 * ignored the flags. The control shows the workload does grow it here; a Node upgrade that
 * ignores the flags makes the first run look like the control, and this test fail.
 */

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const PROBE = fileURLToPath(new URL("./support/new-space-probe.mjs", import.meta.url));
const WASM_TIER_PROBE = fileURLToPath(new URL("./support/wasm-tier-probe.mjs", import.meta.url));
const CALLS = 600;
const MB = 1024 * 1024;

let solarUser: LocalSolarUser;
let env: Record<string, string>;

beforeAll(async () => {
  solarUser = await startLocalSolarUser();
  const admin = seedAdmin(solarUser);
  seedAccount(solarUser, 49, "mixed");
  env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    SN_URL: solarUser.url,
    SN_TOKEN: admin.id,
    SN_TOKEN_SECRET: admin.secret,
    SN_MCP_RATE_LIMIT_READS: "0",
  };
});
afterAll(async () => {
  await solarUser?.close();
});

/** The new space's size (bytes) after CALLS list_tokens calls, one after another. */
async function newSpaceAfterCalls(extraEnv: Record<string, string> = {}): Promise<number> {
  const peer = spawnPeer(process.execPath, ["--import", PROBE, CLI], { ...env, ...extraEnv });
  try {
    await handshake(peer);
    for (let call = 0; call < CALLS; call++) {
      await peer.request("tools/call", { name: "list_tokens", arguments: { limit: 50 } });
    }
    const reported = new Promise<number>((resolve) => {
      const onData = (chunk: string) => {
        const found = /NEW-SPACE (-?\d+)/.exec(chunk);
        if (!found) return;
        peer.child.stderr.off("data", onData);
        resolve(Number(found[1]));
      };
      peer.child.stderr.on("data", onData);
    });
    peer.child.kill("SIGUSR2");
    return await reported;
  } finally {
    await peer.close();
  }
}

describe("stdio mode memory", () => {
  it("keeps V8's young generation at its start size, where ignored flags would let it grow", { timeout: 60_000 }, async () => {
    const kept = await newSpaceAfterCalls();
    const control = await newSpaceAfterCalls({ NEW_SPACE_PROBE_IGNORE_FLAGS: "1" });
    expect(kept).toBeGreaterThan(0);
    expect(control, "the control run did not grow the new space: raise CALLS").toBeGreaterThanOrEqual(8 * MB);
    expect(kept).toBeLessThanOrEqual(4 * MB);
  });

  it("keeps hot WebAssembly (undici's HTTP parser) on V8's baseline compiler, where ignored flags would optimize it", () => {
    const tier = (...args: string[]) => execFileSync(process.execPath, ["--allow-natives-syntax", WASM_TIER_PROBE, ...args], { encoding: "utf8" });
    expect(tier(), "the control did not tier up: the probe no longer shows the flag's effect").toBe("turbofan");
    expect(tier("favoured")).toBe("liftoff");
  });
});
