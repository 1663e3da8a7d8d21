/**
 * The single place where text written by people (token names and descriptions from the token system)
 * is cleaned before it reaches the model: control, bidirectional, zero-width and tag characters
 * are removed, and the length is capped. The text is then only ever returned as a data field.
 */

import { codeUnits } from "./code-units.js";

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
/** At one index of a text: a surrogate pair is one character. */
const INVISIBLE_AT = new RegExp(INVISIBLE_CHARACTERS.source, "uy");
/** One character on its own. */
const INVISIBLE = new RegExp(INVISIBLE_CHARACTERS.source, "u");
/** Each character below U+10000 once it has been looked at: 1 visible, 2 invisible (0: not yet looked at). */
const LOOKED_AT = new Uint8Array(0x10000);

/**
 * Whether text holds a character a person would not see (or that reorders what they see); tabs and
 * line breaks are seen. Printable ASCII is passed over and any other character is looked up once:
 * the Unicode-property pattern run over a whole text costs about ten times as much.
 */
export function hasInvisible(text: string): boolean {
  const units = codeUnits(text);
  for (let index = 0; index < text.length; index++) {
    const code = units[index] as number;
    if (code >= 0x20 && code < 0x7f) continue;
    if (code >= 0xd800 && code <= 0xdfff) {
      // A lone surrogate is invisible; a pair is one character, looked at whole.
      INVISIBLE_AT.lastIndex = index;
      if (INVISIBLE_AT.test(text)) return true;
      index++;
      continue;
    }
    LOOKED_AT[code] ||= code === 0x09 || code === 0x0a || code === 0x0d || !INVISIBLE.test(String.fromCharCode(code)) ? 1 : 2;
    if (LOOKED_AT[code] === 2) return true;
  }
  return false;
}

/** Printable ASCII with nothing to trim: the common case, which cleaning leaves as it is. */
const CLEAN_ALREADY = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

export function sanitizeText(text: string, maxLength = MAX_UNTRUSTED_LENGTH): string {
  if (text.length <= maxLength && CLEAN_ALREADY.test(text)) return text;
  const cleaned = text.replace(BREAKS, " ").replace(INVISIBLE_CHARACTERS, "").trim();
  if (cleaned.length <= maxLength) return cleaned;
  const characters = [...cleaned];
  return characters.length <= maxLength ? cleaned : `${characters.slice(0, maxLength - 1).join("")}…`;
}
