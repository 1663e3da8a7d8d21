import { stateOf, type TokenChange, type TokenState } from "../../safety/effects.js";
import { ownerAllowed, summaryOf } from "./inventory.js";
import { describeQuoted } from "./sanitize.js";
import type { VastToken, VastTokens } from "./tokens.js";
import type { VastCreatePlan } from "./creating.js";

/**
 * VMS's writes as effects on a token (src/safety/effects.ts). A VMS token's rights are its owner's
 * and never change; its life ends by a terminal revoke or at its expiry.
 */

const SYSTEM = "VAST VMS";
const OWNERS_SETTING = "VAST_ALLOWED_OWNERS";

interface Judged {
  tokens: VastTokens;
  ownTokenId: string | undefined;
  now(): number;
  signal: AbortSignal;
}

export async function tokenState(token: VastToken, { tokens, ownTokenId, now, signal }: Judged): Promise<TokenState> {
  return stateOf(summaryOf(token), { ownTokenId, ownerAllowed: await ownerAllowed(tokens, token.owner, signal), now: now() });
}

/** A rename, or a new expiry (epoch ms) for a token not revoked. */
export async function updateChange(current: VastToken, expiry: number | undefined, context: Judged): Promise<TokenChange> {
  const before = await tokenState(current, context);
  const until = expiry ?? before.until;
  return {
    system: SYSTEM,
    asking: `Change the VAST VMS API token ${describeQuoted(current)}`,
    before,
    after: { ...before, until, usable: until === undefined || until > context.now() },
    widerRights: [],
    ownersSetting: OWNERS_SETTING,
  };
}

export async function revokeChange(token: VastToken, context: Judged): Promise<TokenChange> {
  const before = await tokenState(token, context);
  return {
    system: SYSTEM,
    asking: `Revoke the VAST VMS API token ${describeQuoted(token)}`,
    before,
    after: { ...before, usable: false },
    ending: "revokes it, for good",
    widerRights: [],
    ownersSetting: OWNERS_SETTING,
  };
}

/** A new token for the plan's owner (already checked against VAST_ALLOWED_OWNERS), valid until `until` (undefined: never). */
export function createChange(plan: VastCreatePlan, ownUser: string, until: number | undefined): TokenChange {
  const owner = plan.owner.replace(/[«»]/g, "'");
  return {
    system: SYSTEM,
    asking: plan.forAnotherOwner ? `Create a VAST VMS API token for the user «${owner}» (not this server's own user ${ownUser})` : "Create a VAST VMS API token",
    before: undefined,
    after: { usable: true, until, owner: plan.owner, ownerAllowed: true, ownCredential: false, mintedByAssistant: true },
    widerRights: [],
    otherRisks: plan.forAnotherOwner ? [`makes a token that can do everything ${owner} can do in VMS`] : [],
    ownersSetting: OWNERS_SETTING,
  };
}
