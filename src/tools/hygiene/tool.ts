import { sanitizeText } from "../../safety/sanitize.js";
import type { TokenSummary } from "../../core/token.js";
import { stateOf, type TokenChange } from "../../safety/effects.js";
import { toolsFor, type ToolContext } from "../tool.js";

/** The tools every backend shares: they work on `context.backend.inventory`, never on a backend's own service. */
export const defineTool = toolsFor<unknown>();

/** Upstream text cleaned as every other listing cleans it, before it reaches the model. */
export function shownSummary(token: TokenSummary): TokenSummary {
  return {
    ...token,
    id: sanitizeText(token.id, 64),
    ...(token.owner === undefined ? {} : { owner: sanitizeText(token.owner, 80) }),
    ...(token.name === undefined ? {} : { name: sanitizeText(token.name, 80) }),
  };
}

/** A token as a person recognises it in a question: ID and name, the name quoted as data. */
export function describeSummary(token: TokenSummary): string {
  // The name's own « » are replaced, so that it cannot close its quotation and speak as the question.
  return token.name === undefined ? token.id : `${token.id} «${sanitizeText(token.name, 60).replace(/[«»]/g, "'")}»`;
}

/** Retiring a token (the backend's mildest end: a disable, or VMS's revoke) as an effect on it. */
export async function retireChange(token: TokenSummary, { backend, ownTokenId, now, signal }: Pick<ToolContext, "backend" | "ownTokenId" | "now" | "signal">): Promise<TokenChange> {
  const before = stateOf(token, { ownTokenId, ownerAllowed: await backend.inventory.ownerAllowed(token.owner, signal), now: now() });
  const disables = backend.capabilities.canDisable;
  return {
    system: backend.name,
    asking: `${disables ? "Disable" : "Revoke"} the ${backend.name} token ${describeSummary(shownSummary(token))}`,
    before,
    after: { ...before, usable: false },
    ending: disables ? "disables it until an owner enables it again" : "revokes it, for good",
    widerRights: [],
    ...(backend.capabilities.ownersSetting === undefined ? {} : { ownersSetting: backend.capabilities.ownersSetting }),
  };
}
