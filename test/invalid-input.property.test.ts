import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOLARNETWORK_TOOLS } from "../src/backends/solarnetwork/tools/index.js";
import { requestedPolicy } from "../src/backends/solarnetwork/tools/policy-input.js";
import { startHarness, textOf, type Harness } from "./support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const VALID: Record<string, Record<string, unknown>> = {
  list_tokens: {},
  create_token: { type: "ReadNodeData" },
  update_token: { tokenId: "hNAdH.aXHaEqFossMwT8", name: "x" },
  delete_token: { tokenId: "hNAdH.aXHaEqFossMwT8" },
};

const junk = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom("", " ", "2020-01-01", "2026-02-30", "Mars/Base", "0D", "-5D", "1.5h", "10y", [], [0], [-1], [1, 1], null),
);

/** A valid base with one to three fields overwritten by junk, or an extra unknown field. */
const invalidCall = fc
  .constantFrom(...SOLARNETWORK_TOOLS.map((tool) => tool.name))
  .chain((name) => {
    const fields = Object.keys(SOLARNETWORK_TOOLS.find((tool) => tool.name === name)!.input.shape);
    const mutation = fc.dictionary(fc.constantFrom(...fields, "confirm", "__proto__x", "tokenSecret"), junk, {
      minKeys: 1,
      maxKeys: 3,
    });
    return fc.tuple(fc.constant(name), mutation.map((changes) => ({ ...VALID[name], ...changes })));
  })
  .filter(([name, args]) => !isValid(name, args));

function isValid(name: string, args: Record<string, unknown>): boolean {
  const parsed = SOLARNETWORK_TOOLS.find((tool) => tool.name === name)!.input.safeParse(args);
  if (!parsed.success) return false;
  try {
    requestedPolicy(parsed.data as Parameters<typeof requestedPolicy>[0], Date.now());
  } catch {
    return false;
  }
  // Semantically valid but refused by the tool (e.g. update with nothing to change) still counts.
  return name !== "update_token" || Object.keys(parsed.data).some((k) => !["tokenId", "replace", "displayMode"].includes(k));
}

describe("a thousand random invalid argument sets", () => {
  it("all come back as isError results, and none reaches SolarNetwork", async () => {
    h.mark();
    await fc.assert(
      fc.asyncProperty(invalidCall, async ([name, args]) => {
        const result = await h.call(name, args);
        expect(result.isError, `${name} ${JSON.stringify(args)}: ${textOf(result)}`).toBe(true);
        expect(textOf(result)).toMatch(/Invalid argument|Unknown argument|nothing to change/);
      }),
      { numRuns: 1000 },
    );
    expect(h.requestsSinceMark()).toBe(0);
  });
});
