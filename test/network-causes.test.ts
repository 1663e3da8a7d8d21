import dns from "node:dns";
import { closedPort } from "./support/closed-port.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startHarness, textOf, type Harness } from "./support/harness.js";
import { startVastHarness, type VastHarness } from "./support/vast-harness.js";

/**
 * The causes doctor names reach the tool error and the debug log at run time too (issue #20,
 * item 5), instead of one "could not reach" for all. Unknown hosts fail in a stubbed lookup: no
 * query leaves the machine.
 */

let vast: VastHarness | undefined;
let sn: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await vast?.close();
  await sn?.close();
  vast = undefined;
  sn = undefined;
});


/** Every name but this machine's fails to resolve, without a query. */
function stubUnknownHosts(): void {
  const lookup = dns.lookup;
  vi.spyOn(dns, "lookup").mockImplementation(((hostname: string, options: unknown, callback?: (error: Error) => void) => {
    if (hostname === "localhost" || hostname === "127.0.0.1") return (lookup as (...args: unknown[]) => void)(hostname, options, callback);
    const done = (typeof options === "function" ? options : callback) as (error: Error) => void;
    process.nextTick(() => done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname })));
  }) as unknown as typeof dns.lookup);
}

describe("VAST at run time", () => {
  it("names nothing listening (ECONNREFUSED) and VAST_URL in the tool error and the log", async () => {
    const h = (vast = await startVastHarness({ env: { VAST_URL: `http://127.0.0.1:${await closedPort()}` } }));
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Could not reach VMS: nothing accepts connections at that address and port \(ECONNREFUSED\); check the host and port in VAST_URL/);
    expect(h.logs.join("")).toContain("(ECONNREFUSED)");
  });

  it("names an unknown host (ENOTFOUND)", async () => {
    stubUnknownHosts();
    const h = (vast = await startVastHarness({ env: { VAST_URL: "https://vms.invalid" } }));
    const result = await h.call("list_tokens", {});
    expect(textOf(result)).toMatch(/the host name does not resolve \(ENOTFOUND\); check the host name in VAST_URL/);
    expect(h.logs.join("")).toContain("(ENOTFOUND)");
  });
});

describe("SolarNetwork at run time", () => {
  it("names nothing listening (ECONNREFUSED) and SN_URL", async () => {
    const h = (sn = await startHarness({ env: { SN_URL: `http://127.0.0.1:${await closedPort()}` } }));
    const result = await h.call("list_tokens", {});
    expect(textOf(result)).toMatch(/Could not reach SolarNetwork: nothing accepts connections at that address and port \(ECONNREFUSED\); check the host and port in SN_URL/);
    expect(h.logs.join("")).toContain("(ECONNREFUSED)");
  });

  it("names an unknown host (ENOTFOUND)", async () => {
    stubUnknownHosts();
    const h = (sn = await startHarness({ env: { SN_URL: "https://solarnetwork.invalid" } }));
    const result = await h.call("list_tokens", {});
    expect(textOf(result)).toMatch(/the host name does not resolve \(ENOTFOUND\); check the host name in SN_URL/);
  });
});
