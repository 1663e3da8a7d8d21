/**
 * The one redaction step every output passes through: tool results, error text and log lines.
 * Three nets: known secret values (the server's own secret, its signing keys, every secret minted
 * in this process), secret-bearing keys in structured data, and SNWS2 authorization patterns.
 */

import { hasInvisible, INVISIBLE_CHARACTERS } from "./sanitize.js";

export const REDACTED = "[REDACTED]";
const KEPT_WHITESPACE = "\t\n\r";

const SECRET_KEYS = new Set(["authsecret", "secret", "authorization", "tokensecret", "signingkey", "password"]);
const SNWS2_AUTHORIZATION = /SNWS2\s+Credential=[^\s,"]*,\s*SignedHeaders=[^\s,"]*,\s*Signature=[0-9a-fA-F]*/g;
const SIGNATURE_PARAMETER = /Signature=[0-9a-fA-F]{16,}/g;
/** Values shorter than this are not secrets we mint or hold, and would redact ordinary words. */
const MIN_SECRET_LENGTH = 8;

export class Redactor {
  readonly #values = new Set<string>();
  /**
   * Registered values by the hash of their first MIN_SECRET_LENGTH characters, A–Z lower-cased,
   * longest first: one pass over a text finds every value at a cost that does not grow with how
   * many there are (a process may mint hundreds; a regular expression of them all slows every output).
   */
  readonly #byPrefix = new Map<number, string[]>();
  /** Which low hash bits any registered prefix has: most positions are ruled out without a Map lookup. */
  readonly #seen = new Uint8Array(HASH_FILTER_SIZE);
  /** The shortest registered value: a shorter string cannot hold one. */
  #shortest = Infinity;

  /**
   * Registers a secret with every form it may be written in: a string as itself and in base64, a
   * binary key in hex (any case), base64 and base64url, padded or not.
   */
  addSecret(secret: string | Uint8Array): void {
    const bytes = Buffer.from(secret);
    const base64 = [bytes.toString("base64"), bytes.toString("base64url")].flatMap((form) => [form, form.replace(/=+$/, "")]);
    const forms = typeof secret === "string" ? [secret, ...base64] : [bytes.toString("hex"), ...base64];
    for (const form of forms) {
      if (form.length >= MIN_SECRET_LENGTH && !this.#values.has(form)) {
        this.#values.add(form);
        // Case-insensitive: hex keys are written in either case (and over-matching a secret is harmless).
        const folded = caseFolded(form);
        const hash = prefixHash(folded, 0);
        const bucket = this.#byPrefix.get(hash) ?? [];
        bucket.push(folded);
        bucket.sort((a, b) => b.length - a.length);
        this.#byPrefix.set(hash, bucket);
        this.#seen[hash & (HASH_FILTER_SIZE - 1)] = 1;
        this.#shortest = Math.min(this.#shortest, form.length);
      }
    }
  }

  /**
   * Redacts a string. `reveal`, when given, is the one secret this output may carry (a new token's
   * one-time reveal); it stays a registered secret for every other output.
   */
  text(input: string, reveal?: string): string {
    // Most strings in a result are short field values: run only the searches that can match. Both
    // SNWS2 patterns contain "Signature="; a string shorter than every registered value holds none.
    let output = input;
    if (input.includes("Signature=")) {
      output = output.replace(SNWS2_AUTHORIZATION, `SNWS2 ${REDACTED}`).replace(SIGNATURE_PARAMETER, `Signature=${REDACTED}`);
    }
    if (output.length < this.#shortest) return output;
    const replace = (text: string) => this.#replaceValues(text, reveal);
    output = replace(output);
    // A secret split by invisible characters is still the secret: the text is then shown without them.
    if (hasInvisible(output)) {
      const visible = output.replace(INVISIBLE_CHARACTERS, (char) => (KEPT_WHITESPACE.includes(char) ? char : ""));
      const redacted = replace(visible);
      if (redacted !== visible) return redacted;
    }
    return output;
  }

  /**
   * Redacts a JSON-like value deeply; a field named like a secret is replaced whatever it holds.
   * Copy-on-write: a part with nothing to redact comes back as the same object, not a copy.
   */
  value<T>(input: T, reveal?: string): T {
    return this.#walk(input, reveal) as T;
  }

  #walk(input: unknown, reveal: string | undefined): unknown {
    if (typeof input === "string") return this.text(input, reveal);
    // Bytes (a signing key is a Buffer) would serialise as their numbers: never let them through.
    if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) return REDACTED;
    if (Array.isArray(input)) {
      const output = input.map((item) => this.#walk(item, reveal));
      return output.every((item, index) => item === input[index]) ? input : output;
    }
    if (input !== null && typeof input === "object") {
      const output: Record<string, unknown> = {};
      let changed = false;
      for (const [key, item] of Object.entries(input)) {
        const keep = reveal !== undefined && item === reveal;
        output[key] = SECRET_KEYS.has(key.toLowerCase()) && !keep ? REDACTED : this.#walk(item, reveal);
        changed ||= output[key] !== item;
      }
      return changed ? output : input;
    }
    return input;
  }

  /**
   * Every registered value in `text` replaced; values that overlap (one starting inside another)
   * become one replacement, so no part of either shows. `reveal` is kept where it is a whole replacement.
   */
  #replaceValues(text: string, reveal: string | undefined): string {
    if (text.length < this.#shortest) return text;
    const folded = caseFolded(text);
    let output = "";
    let copied = 0;
    // The range [start, end) being replaced; start < 0 while none is.
    let start = -1;
    let end = -1;
    const replace = () => {
      const match = text.slice(start, end);
      output += text.slice(copied, start) + (match === reveal ? match : REDACTED);
      copied = end;
      start = -1;
    };
    let hash = 0;
    for (let at = 0; at + MIN_SECRET_LENGTH <= folded.length; at++) {
      hash = at === 0 ? prefixHash(folded, 0) : rollHash(hash, folded.charCodeAt(at - 1), folded.charCodeAt(at + MIN_SECRET_LENGTH - 1));
      if (start >= 0 && at >= end) replace();
      const value = this.#seen[hash & (HASH_FILTER_SIZE - 1)] ? this.#byPrefix.get(hash)?.find((candidate) => folded.startsWith(candidate, at)) : undefined;
      if (value === undefined) continue;
      if (start < 0) start = at;
      end = Math.max(end, at + value.length);
    }
    if (start >= 0) replace();
    return copied === 0 ? text : output + text.slice(copied);
  }
}

/**
 * A–Z lower-cased (hex keys are written in either case), every index into the result the same
 * index into the text. Other letters stay: Unicode's lower case depends on context (Σ) and on
 * length (İ), and an exact copy of a secret matches anyway.
 */
function caseFolded(text: string): string {
  // Most text is printable ASCII, where the built-in lower-casing is exact and fast.
  return BEYOND_PRINTABLE_ASCII.test(text) ? text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : text.toLowerCase();
}

const BEYOND_PRINTABLE_ASCII = /[^\t\n\r\x20-\x7e]/;

// A polynomial hash of MIN_SECRET_LENGTH characters, rolled one character at a time (Rabin–Karp),
// in 32-bit arithmetic. A collision only costs a comparison.
const BASE = 31;
const HASH_FILTER_SIZE = 1 << 16;
const BASE_TO_LENGTH = Array.from({ length: MIN_SECRET_LENGTH }).reduce<number>((power) => Math.imul(power, BASE), 1);

function prefixHash(text: string, from: number): number {
  let hash = 0;
  for (let index = from; index < from + MIN_SECRET_LENGTH; index++) hash = (Math.imul(hash, BASE) + text.charCodeAt(index)) | 0;
  return hash;
}

function rollHash(hash: number, leaving: number, entering: number): number {
  return (Math.imul(hash, BASE) - Math.imul(leaving, BASE_TO_LENGTH) + entering) | 0;
}
