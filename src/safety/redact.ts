/**
 * The one redaction step every output passes through: tool results, error text and log lines.
 * Three nets: known secret values (the server's own secret, its signing keys, every secret minted
 * in this process), secret-bearing keys in structured data, and SNWS2 authorization patterns.
 */

export const REDACTED = "[REDACTED]";

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

  /** Registers a secret; a binary key is hidden in its hex and base64 forms. */
  addSecret(secret: string | Uint8Array): void {
    const forms =
      typeof secret === "string"
        ? [secret]
        : [Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64")];
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
    if (pattern) output = output.replace(pattern, (match) => (match === reveal ? match : REDACTED));
    return output;
  }

  /** Redacts a JSON-like value deeply; a field named like a secret is replaced whatever it holds. */
  value<T>(input: T, reveal?: string): T {
    return this.#walk(input, reveal) as T;
  }

  #walk(input: unknown, reveal: string | undefined): unknown {
    if (typeof input === "string") return this.text(input, reveal);
    // Bytes (a signing key is a Buffer) would serialise as their numbers: never let them through.
    if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) return REDACTED;
    if (Array.isArray(input)) return input.map((item) => this.#walk(item, reveal));
    if (input !== null && typeof input === "object") {
      const output: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(input)) {
        const keep = reveal !== undefined && item === reveal;
        output[key] = SECRET_KEYS.has(key.toLowerCase()) && !keep ? REDACTED : this.#walk(item, reveal);
      }
      return output;
    }
    return input;
  }

  #valuePattern(): RegExp | undefined {
    if (this.#values.size === 0) return undefined;
    if (!this.#pattern) {
      const alternatives = [...this.#values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.#pattern = new RegExp(alternatives.join("|"), "g");
    }
    return this.#pattern;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
