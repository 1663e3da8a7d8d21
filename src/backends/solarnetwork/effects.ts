import { stateOf, type TokenChange, type TokenState } from "../../safety/effects.js";
import { summaryOf } from "./inventory.js";
import type { Token } from "./model.js";
import { describeToken } from "./sanitize.js";
import type { UpdatePlan } from "./updating.js";
import type { CreatePlan } from "./creating.js";

/** SolarNetwork's writes as effects on a token (src/safety/effects.ts). Every token of the account has the account's owner. */

const SYSTEM = "SolarNetwork";

interface Judged {
  ownTokenId: string | undefined;
  now(): number;
}

export function tokenState(token: Token, { ownTokenId, now }: Judged): TokenState {
  return stateOf(summaryOf(token), { ownTokenId, ownerAllowed: true, now: now() });
}

export function updateChange(current: Token, plan: UpdatePlan, context: Judged): TokenChange {
  const before = tokenState(current, context);
  const status = plan.status ?? current.status;
  const until = plan.policyAfter.notAfter;
  const after = { ...before, until, usable: status === "Active" && (until === undefined || until > context.now()) };
  const disabling = status === "Disabled" && current.status === "Active";
  return {
    system: SYSTEM,
    asking: `Change the SolarNetwork security token ${describeToken(current)}`,
    before,
    after,
    ...(disabling ? { ending: "disables it until it is enabled again" } : {}),
    widerRights: plan.widening,
  };
}

export function deleteChange(token: Token, context: Judged): TokenChange {
  return {
    system: SYSTEM,
    asking: `Delete the SolarNetwork security token ${describeToken(token)}`,
    before: tokenState(token, context),
    after: undefined,
    ending: "deletes it, for good",
    widerRights: [],
  };
}

export function createChange(plan: CreatePlan): TokenChange {
  return {
    system: SYSTEM,
    asking: `Create a SolarNetwork ${plan.type} security token`,
    before: undefined,
    after: { usable: true, until: plan.policy.notAfter, owner: "this account", ownerAllowed: true, ownCredential: false, mintedByAssistant: true },
    widerRights: [],
    otherRisks: plan.risks,
  };
}
