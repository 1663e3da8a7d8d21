import { describe, expect, it } from "vitest";
import { planCreate } from "../src/backends/solarnetwork/creating.js";
import type { Token } from "../src/backends/solarnetwork/model.js";
import { planUpdate } from "../src/backends/solarnetwork/updating.js";
import { planVastCreate } from "../src/backends/vast/creating.js";
import type { VastToken } from "../src/backends/vast/tokens.js";
import { planVastUpdate } from "../src/backends/vast/updating.js";
import { NO_GUARDRAILS, type Guardrails } from "../src/safety/guardrails.js";

// Planning is pure: these run with no server at all, so nothing can have been sent.
const NOW = Date.parse("2026-12-03T12:00:00Z");
const DAY = 86_400_000;
const STRICT: Guardrails = { ...NO_GUARDRAILS, allowUnrestrictedUserTokens: false, maxLifetimeMs: 30 * DAY };

const dataToken = (policy: Token["policy"], status: Token["status"] = "Active"): Token => ({
  id: "T1",
  created: "2026-01-01T00:00:00.000Z",
  userId: 7,
  status,
  type: "ReadNodeData",
  expired: false,
  name: "meters",
  description: "for the meters [ai 20260101T0000Z]",
  policy,
});

describe("planning a SolarNetwork create", () => {
  it("names the risks a person must allow", () => {
    expect(planCreate("User", { apiPaths: ["/datum/**"] }, NO_GUARDRAILS, NOW).risks).toEqual([
      "makes a User token, which acts as the whole account within its apiPaths",
    ]);
    expect(planCreate("ReadNodeData", { nodeIds: [1], notAfter: NOW + DAY }, NO_GUARDRAILS, NOW).risks).toEqual([]);
  });

  it("gives the operator's longest lifetime to a create without an expiry, and refuses an unrestricted User token", () => {
    expect(planCreate("ReadNodeData", { nodeIds: [1] }, STRICT, NOW).policy.notAfter).toBe(NOW + 30 * DAY);
    expect(() => planCreate("User", {}, STRICT, NOW)).toThrow(/SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS/);
  });
});

describe("planning a SolarNetwork update", () => {
  it("names the rights a change adds, and the policy the token will have", () => {
    const plan = planUpdate(dataToken({ nodeIds: [1] }), { policy: { nodeIds: [2] }, status: "Disabled", replace: false }, NO_GUARDRAILS, NOW);
    expect(plan.parts).toEqual(["policy", "status"]);
    expect(plan.widening).toEqual(["adds node IDs 2"]);
    expect(plan.policyAfter.nodeIds).toEqual([1, 2]);
  });

  it("drops a policy part that would change nothing, and refuses when nothing is left", () => {
    const current = dataToken({ nodeIds: [1, 2] });
    expect(planUpdate(current, { name: "new", policy: { nodeIds: [1] }, replace: false }, NO_GUARDRAILS, NOW).parts).toEqual(["info"]);
    expect(() => planUpdate(current, { policy: { nodeIds: [1] }, replace: false }, NO_GUARDRAILS, NOW)).toThrow(/Nothing was changed/);
  });

  it("caps a re-enabled token's expiry under the operator's longest lifetime, adding the policy part", () => {
    const plan = planUpdate(dataToken({ nodeIds: [1] }, "Disabled"), { status: "Active", replace: false }, STRICT, NOW);
    expect(plan.parts).toEqual(["policy", "status"]);
    expect(plan.policy?.notAfter).toBe(NOW + 30 * DAY);
  });

  it("keeps the description's marker and resends the name it does not change", () => {
    const plan = planUpdate(dataToken(undefined), { description: "for the gateway", replace: false }, NO_GUARDRAILS, NOW);
    expect(plan.info).toEqual({ name: "meters", description: "for the gateway [ai 20260101T0000Z]" });
  });
});

const vastToken = (status: VastToken["status"], expires?: string): VastToken => ({
  id: "JhxND7ci",
  name: "backup_api_token [ai 20260101T0000Z]",
  owner: "backup",
  created: "2026-12-01T12:00:00.000Z",
  expires,
  status,
});

describe("planning a VMS create and update", () => {
  it("bounds the owner by VAST_ALLOWED_OWNERS and marks the default name", () => {
    const provenance = { mintedAt: NOW };
    expect(() => planVastCreate({ owner: "root" }, "backup", [], provenance)).toThrow(/VAST_ALLOWED_OWNERS/);
    const plan = planVastCreate({ owner: "reports" }, "backup", ["reports"], provenance);
    expect(plan).toMatchObject({ owner: "reports", forAnotherOwner: true, name: "reports_api_token [ai 20261203T1200Z]" });
    expect(planVastCreate({ name: "x".repeat(50) }, "backup", [], provenance).warnings[0]).toMatch(/shortened/);
  });

  it("counts an expiry from the token's creation", () => {
    const plan = planVastUpdate(vastToken("Active", "2026-12-10T12:00:00.000Z"), { expiry: NOW + 30 * DAY, expiresIn: "30D" }, undefined);
    expect(plan.change.expiry).toBe("32D");
    expect(() => planVastUpdate(vastToken("Revoked"), { name: "n" }, undefined)).toThrow(/revoked, for good/);
  });
});
