import { sanitizeText } from "../../safety/sanitize.js";
import type { VastToken } from "./tokens.js";

/** A VMS token as a person recognises it in a question; its name and owner quoted as data. */
export function describeQuoted(token: VastToken): string {
  const quoted = (text: string | undefined) => (text === undefined ? "unknown" : JSON.stringify(sanitizeText(text, 80)));
  return `${token.id} (name ${quoted(token.name)}, owner ${quoted(token.owner)})`;
}

/** Names and owners are written by people: cleaned like SolarNetwork's names before they reach the model. */
export function sanitizeVastToken(token: VastToken): VastToken {
  const clean = { ...token, id: sanitizeText(token.id, 16) };
  if (token.name !== undefined) clean.name = sanitizeText(token.name, 80);
  if (token.owner !== undefined) clean.owner = sanitizeText(token.owner, 80);
  return clean;
}
