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
  #pattern: RegExp | undefined;
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
        this.#pattern = undefined;
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
    const pattern = this.#valuePattern();
    if (!pattern) return output;
    const replace = (text: string) => text.replace(pattern, (match) => (match === reveal ? match : REDACTED));
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

  #valuePattern(): RegExp | undefined {
    if (this.#values.size === 0) return undefined;
    if (!this.#pattern) {
      const alternatives = [...this.#values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      // Case-insensitive: hex keys are written in either case (and over-matching a secret is harmless).
      this.#pattern = new RegExp(alternatives.join("|"), "gi");
    }
    return this.#pattern;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
