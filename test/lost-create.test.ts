import { describe, expect, it } from "vitest";
import { resolveLostCreate } from "../src/core/lost-create.js";
import { createLogger } from "../src/log.js";
import { Redactor } from "../src/safety/redact.js";

describe("resolving a lost create", () => {
  const log = createLogger("error", new Redactor(), () => {});

  it("ends none of several new matching tokens: only one can be this create's", async () => {
    const ended: string[] = [];
    const end = { verb: "delete" as const, tool: "delete_token", run: async (id: string) => void ended.push(id) };
    const resolved = resolveLostCreate({ system: "SolarNetwork", findOrphans: async () => ({ orphans: ["A", "B"] }), unsearchable: "", end, log });
    await expect(resolved).rejects.toThrow(/holds 2 new tokens that match it \(A, B\).*none was deleted/);
    expect(ended).toEqual([]);
  });
});
