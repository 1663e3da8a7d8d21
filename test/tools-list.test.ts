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
    } finally {
      await h.close();
    }
  });
});
