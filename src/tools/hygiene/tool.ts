import { sanitizeText } from "../../safety/sanitize.js";
import type { TokenSummary } from "../../core/token.js";
import { toolsFor } from "../tool.js";

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
  return token.name === undefined ? token.id : `${token.id} «${sanitizeText(token.name, 60)}»`;
}
