/**
 * The one redaction step every output passes through: tool results, error text and log lines.
 * Three nets: known secret values (the server's own secret, its signing keys, every secret minted
 * in this process), secret-bearing keys in structured data, and SNWS2 authorization patterns.
 */

import { codeUnits } from "./code-units.js";
import { hasInvisible, INVISIBLE_CHARACTERS } from "./sanitize.js";

export const REDACTED = "[REDACTED]";
const KEPT_WHITESPACE = "\t\n\r";
const UNICODE_SEPARATORS = /[\u2028\u2029]/g;

const SECRET_KEYS = new Set(["authsecret", "secret", "authorization", "tokensecret", "signingkey", "password"]);
/** Keys already looked at, so a result's keys are not lower-cased again on every call; a few hundred at most. */
const SECRET_KEY_SEEN = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let secret = SECRET_KEY_SEEN.get(key);
  if (secret === undefined) {
    secret = SECRET_KEYS.has(key.toLowerCase());
    if (SECRET_KEY_SEEN.size < 1024) SECRET_KEY_SEEN.set(key, secret);
  }
  return secret;
}
const SNWS2_AUTHORIZATION = /SNWS2\s+Credential=[^\s,"]*,\s*SignedHeaders=[^\s,"]*,\s*Signature=[0-9a-fA-F]*/g;
const SIGNATURE_PARAMETER = /Signature=[0-9a-fA-F]{16,}/g;
const NO_WINDOWS: readonly { value: string; offset: number }[] = [];
/** Values shorter than this are not secrets we mint or hold, and would redact ordinary words. */
const MIN_SECRET_LENGTH = 8;

export class Redactor {
  readonly #values = new Set<string>();
  /** The server's own credential as configured: never shown, not even as a one-time reveal. */
  readonly #credentials: string[] = [];
  /**
   * Every MIN_SECRET_LENGTH-character window of every registered value (A–Z lower-cased), by its
   * hash: where in which value it starts. Any value is at least `#step` windows long, so a text
   * need only be hashed at every `#step`th position to meet one window of each value it holds.
   * The cost of a scan does not grow with how many values there are (a process may mint hundreds;
   * a regular expression of them all slows every output).
   */
  readonly #windows = new Map<number, { value: string; offset: number }[]>();
  /** Which low hash bits any window has: most positions are ruled out without a Map lookup. */
  readonly #seen = new Uint8Array(HASH_FILTER_SIZE);
  /** The shortest registered value: a shorter string cannot hold one. */
  #shortest = Infinity;
  #step = 1;

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
        const value = caseFolded(form);
        const units = codeUnits(value);
        for (let offset = 0; offset + MIN_SECRET_LENGTH <= value.length; offset++) {
          const hash = windowHash(units, offset);
          const entries = this.#windows.get(hash);
          if (entries) entries.push({ value, offset });
          else this.#windows.set(hash, [{ value, offset }]);
          this.#seen[hash & (HASH_FILTER_SIZE - 1)] = 1;
        }
        this.#shortest = Math.min(this.#shortest, form.length);
        this.#step = this.#shortest - MIN_SECRET_LENGTH + 1;
      }
    }
  }
  /** Registers the server's own credential (or a key derived from it): redacted like any secret, and never revealed. */
  addCredential(secret: string | Uint8Array): void {
    this.addSecret(secret);
    if (typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH) this.#credentials.push(secret);
  }

  /** Whether `text` holds the server's own credential (a "new" secret that is the server's own must not be handed over). */
  holdsCredential(text: string): boolean {
    return this.#credentials.some((credential) => text.includes(credential));
  }

  /**
   * Redacts a string. `reveal`, when given, is the one secret this output may carry (a new token's
   * one-time reveal); it stays a registered secret for every other output, and it never unmasks
   * the server's own credential.
   */
  text(input: string, reveal?: string): string {
    if (reveal !== undefined && this.holdsCredential(reveal)) return this.text(input);
    // Most strings in a result are short field values: run only the searches that can match. Both
    // SNWS2 patterns contain "Signature="; a string shorter than every registered value holds none.
    let output = input;
    if (input.includes("Signature=")) {
      output = output.replace(SNWS2_AUTHORIZATION, `SNWS2 ${REDACTED}`).replace(SIGNATURE_PARAMETER, `Signature=${REDACTED}`);
    }
    if (output.length < this.#shortest) return output;
    output = this.#replaceValues(output, reveal);
    // A secret split by invisible characters (or by a line or paragraph separator, which most
    // displays hide or break on) is still the secret: the text is then shown without them.
    if (hasInvisible(output) || output.includes("\u2028") || output.includes("\u2029")) {
      const visible = output.replace(INVISIBLE_CHARACTERS, (char) => (KEPT_WHITESPACE.includes(char) ? char : "")).replace(UNICODE_SEPARATORS, "");
      const redacted = this.#replaceValues(visible, reveal);
      if (redacted !== visible) return redacted;
    }
    return output;
  }

  /**
   * Redacts a JSON-like value deeply; a field named like a secret is replaced whatever it holds.
   * Copy-on-write: a part with nothing to redact comes back as the same object, not a copy.
   */
  value<T>(input: T, reveal?: string): T {
    return this.#walk(input, reveal !== undefined && this.holdsCredential(reveal) ? undefined : reveal) as T;
  }

  #walk(input: unknown, reveal: string | undefined): unknown {
    if (typeof input === "string") return this.text(input, reveal);
    // Bytes (a signing key is a Buffer) would serialise as their numbers: never let them through.
    if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) return REDACTED;
    // Plain loops: a result is walked on every call, and most of it is left as it is.
    if (Array.isArray(input)) {
      let output: unknown[] | undefined;
      for (let index = 0; index < input.length; index++) {
        const item: unknown = input[index];
        const redacted = this.#walk(item, reveal);
        if (redacted !== item) (output ??= [...input])[index] = redacted;
      }
      return output ?? input;
    }
    if (input !== null && typeof input === "object") {
      const record = input as Record<string, unknown>;
      let output: Record<string, unknown> | undefined;
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        const item = record[key];
        const keep = reveal !== undefined && item === reveal;
        const redacted = isSecretKey(key) && !keep ? REDACTED : this.#walk(item, reveal);
        if (redacted !== item) (output ??= { ...record })[key] = redacted;
      }
      return output ?? input;
    }
    return input;
  }

  /**
   * Every registered value in `text` replaced; values that overlap (one starting inside another)
   * become one replacement, so no part of either shows. `reveal` is kept where it is a whole replacement.
   */
  #replaceValues(text: string, reveal: string | undefined): string {
    let found: [start: number, end: number][] | undefined;
    const units = codeUnits(text);
    for (let at = 0; at + MIN_SECRET_LENGTH <= text.length; at += this.#step) {
      const hash = windowHash(units, at);
      if (!this.#seen[hash & (HASH_FILTER_SIZE - 1)]) continue;
      for (const { value, offset } of this.#windows.get(hash) ?? NO_WINDOWS) {
        const start = at - offset;
        if (start >= 0 && start + value.length <= text.length && foldedAt(units, start, value)) (found ??= []).push([start, start + value.length]);
      }
    }
    if (!found) return text;
    found.sort((a, b) => a[0] - b[0]);
    let output = "";
    let copied = 0;
    const replace = (start: number, end: number) => {
      const match = text.slice(start, end);
      output += text.slice(copied, start) + (match === reveal ? match : REDACTED);
      copied = end;
    };
    let [start, end] = found[0] as [number, number];
    for (const [from, to] of found) {
      if (from < end) {
        end = Math.max(end, to);
        continue;
      }
      replace(start, end);
      [start, end] = [from, to];
    }
    replace(start, end);
    return output + text.slice(copied);
  }
}

/**
 * A–Z lower-cased (hex keys are written in either case), every index into the result the same
 * index into the text. Other letters stay: Unicode's lower case depends on context (Σ) and on
 * length (İ), and an exact copy of a secret matches anyway.
 */
function caseFolded(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

// A polynomial hash of MIN_SECRET_LENGTH characters, A–Z lower-cased, in 32-bit arithmetic. A
// collision only costs a comparison.
const BASE = 31;
const HASH_FILTER_SIZE = 1 << 16;

function windowHash(units: Uint16Array, from: number): number {
  let hash = 0;
  for (let index = from; index < from + MIN_SECRET_LENGTH; index++) hash = (Math.imul(hash, BASE) + folded(units[index] as number)) | 0;
  return hash;
}

/** Whether `units` hold `value` (already folded) at `start`, A–Z in either case. */
function foldedAt(units: Uint16Array, start: number, value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    if (folded(units[start + index] as number) !== value.charCodeAt(index)) return false;
  }
  return true;
}

function folded(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}
