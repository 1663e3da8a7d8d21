import type { Token } from "../tokens/model.js";

/**
 * The single place where text written by people (token names and descriptions from SolarNetwork)
 * is cleaned before it reaches the model: control, bidirectional, zero-width and tag characters
 * are removed, and the length is capped. The text is then only ever returned as a data field.
 */

export const MAX_UNTRUSTED_LENGTH = 256;

// C0/C1 controls (tab and newline become spaces first), bidi embeddings/overrides/isolates,
// zero-width and invisible formatting characters, the BOM, and Unicode tag characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

export function sanitizeText(text: string, maxLength = MAX_UNTRUSTED_LENGTH): string {
  const cleaned = text.replace(/[\t\r\n]+/g, " ").replace(INVISIBLE, "").trim();
  const characters = [...cleaned];
  return characters.length <= maxLength ? cleaned : `${characters.slice(0, maxLength - 1).join("")}…`;
}

export function sanitizeToken(token: Token): Token {
  const clean = { ...token };
  if (token.name !== undefined) clean.name = sanitizeText(token.name);
  if (token.description !== undefined) clean.description = sanitizeText(token.description);
  return clean;
}

/** A token as a person recognises it in a question: its ID, type and (cleaned) name. */
export function describeToken(token: Token): string {
  const name = token.name ? ` "${sanitizeText(token.name, 80)}"` : "";
  return `${token.id}${name} (${token.type})`;
}
