import { sanitizeText } from "../../safety/sanitize.js";
import type { VastToken } from "./tokens.js";

/** A VMS token as a person recognises it in a question; its name and owner quoted as data. */
export function describeQuoted(token: VastToken): string {
  return `${token.id} (name ${JSON.stringify(sanitizeText(token.name, 80))}, owner ${JSON.stringify(sanitizeText(token.owner, 80))})`;
}

/** Names and owners are written by people: cleaned like SolarNetwork's names before they reach the model. */
export function sanitizeVastToken(token: VastToken): VastToken {
  return { ...token, id: sanitizeText(token.id, 16), name: sanitizeText(token.name, 80), owner: sanitizeText(token.owner, 80) };
}
