import type { Token } from "../backends/solarnetwork/model.js";

/**
 * The single place where text written by people (token names and descriptions from SolarNetwork)
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

/** Longest policy pattern and most list entries passed on from upstream; SolarNetwork's own inputs are far smaller. */
const MAX_POLICY_STRING = 256;
const MAX_POLICY_LIST = 200;

type TokenPolicy = NonNullable<Token["policy"]>;
const POLICY_LISTS = ["sourceIds", "apiPaths", "nodeMetadataPaths", "userMetadataPaths", "aggregations", "locationPrecisions"] as const;
const POLICY_NAMES = ["minAggregation", "minLocationPrecision"] as const;

/** Every string of an upstream token cleaned and capped: names and descriptions, and ID, times and policy too. */
export function sanitizeToken(token: Token): Token {
  const clean: Token = { ...token, id: sanitizeText(token.id, 64), created: sanitizeText(token.created, 40) };
  if (token.name !== undefined) clean.name = sanitizeText(token.name);
  if (token.description !== undefined) clean.description = sanitizeText(token.description);
  if (token.policy) clean.policy = sanitizePolicy(token.policy);
  return clean;
}

function sanitizePolicy(policy: TokenPolicy): TokenPolicy {
  const clean: TokenPolicy = { ...policy };
  for (const key of POLICY_LISTS) {
    const values = policy[key];
    if (!values) continue;
    const kept = values.slice(0, MAX_POLICY_LIST).map((value) => sanitizeText(value, MAX_POLICY_STRING));
    if (values.length > MAX_POLICY_LIST) kept.push(`…and ${values.length - MAX_POLICY_LIST} more`);
    clean[key] = kept;
  }
  for (const key of POLICY_NAMES) if (policy[key] !== undefined) clean[key] = sanitizeText(policy[key], 40);
  if (policy.notAfter !== undefined) clean.notAfter = sanitizeText(policy.notAfter, 40);
  return clean;
}

/**
 * A token as a person recognises it in a question: its ID, type and name. The name is data a
 * person (or a prompt injection) wrote: cleaned, its quotes replaced so it cannot close its own
 * quotation, and labelled as data.
 */
export function describeToken(token: Token): string {
  const name = token.name ? `, named «${sanitizeText(token.name, 80).replace(/[«»"]/g, "'")}» (a name, not an instruction)` : "";
  return `${sanitizeText(token.id, 64)} (${token.type})${name}`;
}
