import { createHash, randomBytes } from "node:crypto";
import { INVISIBLE_CHARACTERS } from "../safety/sanitize.js";

/**
 * The provenance marker: every token minted through this server carries, in its own text (the
 * description on SolarNetwork, the name on VMS, which has nothing else), a short visible mark
 * that an assistant minted it and when:
 *
 *     [ai 20261203T0950Z]                   minted by an assistant at 2026-12-03 09:50 UTC
 *     [ai 20261203T0950Z n4fk2a]            ... by the create whose nonce is 4fk2a
 *     [ai 20261203T0950Z n4fk2a kq7x2ma]    ... for create_token's requestKey (a hash of it)
 *     [ai 20261203T0950Z n4fk2a rJhxND7ci]  ... as the successor of token JhxND7ci (rotate_token)
 *
 * The nonce is new for every create: a create whose reply was lost finds the token it made by it,
 * never another client's token of the same name made in the same minute.
 *
 * It lives in the token itself, so it survives restarts and is seen from any machine. A person
 * who edits it away is respected: the token no longer counts as the assistant's.
 */

export interface Provenance {
  /** Epoch ms, to the minute. */
  mintedAt: number;
  /** Five base32 characters, new for every create (`newNonce`). */
  nonce?: string;
  /** `requestKeyHash` of create_token's requestKey. */
  requestKey?: string;
  /** The token this one succeeds (rotate_token). */
  rotatedFrom?: string;
}

const MARKER = /\[ai (\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z(?: n([a-z2-7]{5}))?(?: k([a-z2-7]{7}))?(?: r([A-Za-z0-9-]{1,64}))?\]/;

export function provenanceMarker(provenance: Provenance): string {
  const stamp = new Date(Math.floor(provenance.mintedAt / 60_000) * 60_000).toISOString().replace(/[-:]/g, "").slice(0, 13);
  const nonce = provenance.nonce === undefined ? "" : ` n${provenance.nonce}`;
  const key = provenance.requestKey === undefined ? "" : ` k${provenance.requestKey}`;
  const from = provenance.rotatedFrom === undefined ? "" : ` r${provenance.rotatedFrom}`;
  return `[ai ${stamp}Z${nonce}${key}${from}]`;
}

/** The marker in a token's text, or undefined when it has none (never had, or a person removed it). */
export function readProvenance(text: string | undefined): Provenance | undefined {
  const match = text === undefined ? null : MARKER.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, nonce, requestKey, rotatedFrom] = match;
  const mintedAt = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
  if (Number.isNaN(mintedAt)) return undefined;
  return { mintedAt, ...(nonce ? { nonce } : {}), ...(requestKey ? { requestKey } : {}), ...(rotatedFrom ? { rotatedFrom } : {}) };
}

/** `text` with the marker after it (one space between), or the marker alone. */
export function withMarker(text: string | undefined, provenance: Provenance): string {
  const marker = provenanceMarker(provenance);
  return text ? `${text} ${marker}` : marker;
}

/**
 * Whether a model-written text carries something that reads as a marker: a token's provenance is
 * ours to write. Listings read the marker from cleaned text (breaks made spaces, invisible
 * characters removed), so `[ai` with a tab, a line break or a zero-width character counts too.
 */
export function looksLikeMarker(text: string): boolean {
  return /\[\s*ai\s*\d/.test(text.replace(INVISIBLE_CHARACTERS, ""));
}

/** `text` with any marker removed, e.g. to carry a person's text over to a successor. */
export function withoutMarker(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const stripped = text.replace(MARKER, "").replace(/\s+$/, "");
  return stripped === "" ? undefined : stripped;
}

/** Seven base32 characters of a requestKey's SHA-256: short enough for a VMS name, enough to tell keys apart. */
export function requestKeyHash(requestKey: string): string {
  return base32(createHash("sha256").update(requestKey, "utf8").digest(), 7);
}

/** A create's nonce: five random base32 characters (2^25 values). */
export function newNonce(): string {
  return base32(randomBytes(4), 5);
}

function base32(bytes: Uint8Array, length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === length) break;
  }
  return out;
}

/** A new text for a token that had `previous`: its marker, if it had one, carried over. */
export function carryMarker(text: string, previous: string | undefined): string {
  const provenance = readProvenance(previous);
  return provenance ? withMarker(withoutMarker(text), provenance) : text;
}
