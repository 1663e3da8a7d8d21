import fc from "fast-check";
import { describe } from "vitest";
import type { VmsSimulator } from "../src/simulators/vast/server.js";
import { DAY, expiryChange, modelTests, NOW, onToken, operatorEnv, type ModelToken, type Snapshot, type Step } from "./support/effect-model.js";
import { ALLOW, DECLINE, startVastHarness } from "./support/vast-harness.js";

/**
 * Issue #18's model-based test on VAST VMS: seeded random sequences of tool calls through a real
 * SDK client against the VMS simulator, the invariants checked on the simulator's state after
 * every step. A VMS token has no rights of its own to widen; its owner is what the rules are
 * about (secops is outside VAST_ALLOWED_OWNERS).
 */

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    tool: fc.constant("create_token"),
    args: fc.oneof(fc.record({ expiresIn: fc.constantFrom("1h", "7D", "60D") }), fc.constant({ owner: "secops", expiresIn: "7D" }), fc.constant({})),
  }),
  // Weighted: most of what the rules are about is done by update_token.
  { weight: 3, arbitrary: onToken("update_token", fc.oneof({ weight: 3, arbitrary: expiryChange }, fc.constant({ name: "renamed" }))) },
  onToken("revoke_token", fc.constant({})),
  onToken("rotate_token", fc.constant({})),
  fc.record({ tool: fc.constant("retire_assistant_tokens"), args: fc.constant({}) }),
);

/** Besides the server's own: a valid token, two expired ones, an assistant's, and one of secops (outside the allowed owners). */
function seed(vms: VmsSimulator): string {
  vms.seedToken({ owner: "admin", name: "deploys", created: NOW - 20 * DAY, expiry: "30D" });
  vms.seedToken({ owner: "admin", name: "old", created: NOW - 20 * DAY, expiry: "10D" });
  vms.seedToken({ owner: "admin", name: "older", created: NOW - 30 * DAY, expiry: "10D" });
  vms.seedToken({ owner: "admin", name: "bot [ai 20261201T0000Z]", created: NOW - 7 * DAY, expiry: "14D" });
  return vms.seedToken({ owner: "secops", name: "theirs [ai 20261201T0000Z]", created: NOW - 7 * DAY, expiry: "14D" }).id;
}

function snapshot(vms: VmsSimulator): Snapshot {
  const tokens = new Map<string, ModelToken>();
  // lastUsed moves whenever the server signs in: a use, not a change.
  for (const { lastUsed: _lastUsed, ...token } of vms.tokens()) {
    const until = token.expiry ?? undefined;
    tokens.set(token.id, { usable: !token.revoked && (until === undefined || until > NOW), until, owner: token.owner, raw: JSON.stringify(token) });
  }
  return { tokens };
}

describe("VAST VMS, random sequences of tool calls (issue #18)", () => {
  modelTests(
    {
      widerRights: () => [],
      async start(answer) {
        const env = operatorEnv(answer);
        const h = await startVastHarness({ env, clock: () => NOW, elicit: () => (answer === "accept" ? ALLOW : DECLINE) });
        const outsider = seed(h.vms);
        return { ownTokenId: h.admin.id, untouchable: new Set([outsider]), call: h.call, snapshot: () => snapshot(h.vms), close: h.close };
      },
    },
    step,
  );
});
