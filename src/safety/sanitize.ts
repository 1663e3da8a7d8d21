/**
 * The single place where text written by people (token names and descriptions from the token system)
 * is cleaned before it reaches the model: control, bidirectional, zero-width and tag characters
 * are removed, and the length is capped. The text is then only ever returned as a data field.
 */

export const MAX_UNTRUSTED_LENGTH = 256;

/** Line and paragraph breaks of any kind: shown as one space. */
const BREAKS = /[\t\n\v\f\r\u0085\p{Zl}\p{Zp}]+/gu;
/**
 * Invisible and formatting characters, by Unicode property rather than a list: controls, format
 * characters (bidi controls, zero-width characters, tags), lone surrogates, private use, every
 * default-ignorable code point (variation selectors, fillers, soft hyphen), and the blanks that
 * render as nothing although Unicode calls them letters or symbols (Hangul fillers, Braille blank).
 */
export const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Default_Ignorable_Code_Point}\u115f\u1160\u2800\u3164\uffa0]/gu;
const HAS_INVISIBLE = new RegExp(INVISIBLE_CHARACTERS.source, "u");

/** Whether text holds a character a person would not see (or that reorders what they see). */
export function hasInvisible(text: string): boolean {
  return HAS_INVISIBLE.test(text.replace(/[\t\n\r ]/g, ""));
}

export function sanitizeText(text: string, maxLength = MAX_UNTRUSTED_LENGTH): string {
  const cleaned = text.replace(BREAKS, " ").replace(INVISIBLE_CHARACTERS, "").trim();
  const characters = [...cleaned];
  return characters.length <= maxLength ? cleaned : `${characters.slice(0, maxLength - 1).join("")}…`;
}
