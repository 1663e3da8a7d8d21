import fc from "fast-check";
import { describe } from "vitest";
import { classifyChange } from "../src/backends/solarnetwork/widening.js";
import type { Token } from "../src/backends/solarnetwork/model.js";
import { memoryTokenStore, startLocalSolarUser, type StoredToken, type TokenStore } from "../src/simulators/solarnetwork/solaruser.js";
import { DAY, expiryChange, modelTests, NOW, onToken, operatorEnv, type ModelToken, type Snapshot, type Step } from "./support/effect-model.js";
import { startHarness } from "./support/harness.js";

/**
 * Issue #18's model-based test on SolarNetwork: seeded random sequences of tool calls through a
 * real SDK client against the simulator, the invariants checked on the simulator's store after
 * every step.
 */

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    tool: fc.constant("create_token"),
    args: fc.oneof(
      fc.record({ type: fc.constant("ReadNodeData"), nodeIds: fc.constant([1]), expiresIn: fc.constantFrom("1h", "7D", "60D") }),
      fc.constant({ type: "User", apiPaths: ["/datum/**"], expiresIn: "7D" }),
      fc.constant({ type: "ReadNodeData", nodeIds: [1] }),
    ),
  }),
  // Weighted: most of what the rules are about is done by update_token.
  { weight: 3, arbitrary: onToken(
    "update_token",
    fc.oneof(
      expiryChange,
      fc.constant({ nodeIds: [2] }),
      fc.constant({ replace: true, nodeIds: [3], expiresIn: "7D" }),
      fc.constant({ replace: true, nodeIds: [3] }),
      fc.constant({ refreshAllowed: true }),
      fc.constant({ apiPaths: ["/a/b/"] }),
      fc.record({ status: fc.constantFrom("Active", "Disabled") }),
      fc.constant({ name: "renamed" }),
    ),
  ) },
  onToken("delete_token", fc.constant({})),
  onToken("rotate_token", fc.constant({})),
  fc.record({ tool: fc.constant("retire_assistant_tokens"), args: fc.constant({}) }),
);

function seed(store: TokenStore, userId: number): void {
  const put = (id: string, token: Omit<StoredToken, "id" | "secret" | "userId" | "created">) =>
    store.put({ id, secret: `secret-of-${id}`, userId, created: (NOW - 20 * DAY) * 1000, ...token });
  put("seed-data-usable-001", { type: "ReadNodeData", status: "Active", name: "meters", policy: { nodeIds: [1], notAfter: NOW + 10 * DAY } });
  put("seed-data-expired-01", { type: "ReadNodeData", status: "Active", name: "old", policy: { nodeIds: [1], notAfter: NOW - DAY } });
  put("seed-data-disable-01", { type: "ReadNodeData", status: "Disabled", name: "off", policy: { nodeIds: [1], notAfter: NOW + 10 * DAY } });
  put("seed-user-paths-0001", { type: "User", status: "Active", name: "paths", description: "[ai 20261201T0000Z]", policy: { apiPaths: ["/a/*"], notAfter: NOW + 10 * DAY } });
}

function snapshot(store: TokenStore): Snapshot {
  const tokens = new Map<string, ModelToken>();
  const created = store.all().sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
  for (const token of created) {
    const until = token.policy?.notAfter;
    tokens.set(token.id, { usable: token.status === "Active" && (until === undefined || until > NOW), until, owner: String(token.userId), raw: JSON.stringify(token) });
  }
  return { tokens };
}

/** The rights `after` has that `before` did not, as SolarNetwork's policy judges them. */
function widerRights(before: ModelToken, after: ModelToken): string[] {
  const was = JSON.parse(before.raw) as StoredToken;
  const is = JSON.parse(after.raw) as StoredToken;
  const { notAfter: _before, ...policy } = was.policy ?? {};
  const { notAfter: _after, ...next } = is.policy ?? {};
  const current = { ...was, created: "", expired: false, policy } as unknown as Token;
  return classifyChange(current, { policy: next, mode: "replace" }).widening;
}

describe("SolarNetwork, random sequences of tool calls (issue #18)", () => {
  modelTests(
    {
      widerRights: (_id, before, after) => widerRights(before, after),
      async start(answer) {
        const store = memoryTokenStore();
        const solarUser = await startLocalSolarUser({ store, now: () => NOW });
        const env = operatorEnv(answer);
        const allow = answer === "accept";
        const h = await startHarness({ solarUser, env, clock: () => NOW, elicit: () => (allow ? { action: "accept", content: { allow: true } } : { action: "decline" }) });
        seed(store, 123);
        return {
          ownTokenId: h.admin.id,
          untouchable: new Set<string>(),
          call: h.call,
          snapshot: () => snapshot(store),
          async close() {
            await h.close();
            await solarUser.close();
          },
        };
      },
    },
    step,
  );
});
