import { describe, expect, it } from "vitest";
import { startHarness } from "./support/harness.js";
import { startVastHarness } from "./support/vast-harness.js";

// What each backend lists, kept in review: a change to a name, description, schema or hint shows
// as a diff of these files (`npx vitest run test/tools-list.test.ts -u` after an intended change).
describe("tools/list", () => {
  it.each([
    ["solarnetwork", startHarness],
    ["vast", startVastHarness],
  ] as const)("%s", async (backend, start) => {
    const h = await start();
    try {
      const { tools } = await h.client.listTools();
      const listing = `${JSON.stringify(tools, null, 2)}\n`;
      // A snapshot is committed: the server's credential must not be in it.
      expect(listing).not.toContain("secret" in h.admin ? h.admin.secret : h.admin.token.split(".")[1]);
      await expect(listing).toMatchFileSnapshot(`./snapshots/tools-list.${backend}.json`);
      // An example date the model may copy must never have passed (it would be refused as a past expiry).
      const examples = listing.match(/\b\d{4}-\d{2}-\d{2}\b/g) ?? [];
      expect(examples.length).toBeGreaterThan(0);
      for (const date of examples) expect(Date.parse(date), date).toBeGreaterThan(Date.parse("2090-01-01"));
    } finally {
      await h.close();
    }
  });
});
