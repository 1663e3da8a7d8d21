/**
 * A small pull parser over JSON text with the calls SolarNetwork's policy deserializer makes on
 * Jackson's `JsonParser` (`nextToken`, `nextName`, `nextStringValue`, `nextLongValue`, ...).
 *
 * Tokens are read lazily, as Jackson does, so a syntax error past the point where the
 * deserializer stops reading is never seen, and a deserializer that reads one token too many
 * (the real one does, for an empty `aggregations` or `locationPrecisions` array) misbehaves
 * here exactly as it does upstream.
 */

export type TokenKind =
  | "START_OBJECT"
  | "END_OBJECT"
  | "START_ARRAY"
  | "END_ARRAY"
  | "FIELD_NAME"
  | "VALUE_STRING"
  | "VALUE_NUMBER_INT"
  | "VALUE_NUMBER_FLOAT"
  | "VALUE_TRUE"
  | "VALUE_FALSE"
  | "VALUE_NULL";

export interface Token {
  readonly kind: TokenKind;
  /** Field name, string value or number text. */
  readonly text: string;
}

/** A malformed document, with a message in Jackson's style. */
export class JsonSyntaxError extends Error {}

const SCALARS: ReadonlySet<TokenKind> = new Set([
  "VALUE_STRING",
  "VALUE_NUMBER_INT",
  "VALUE_NUMBER_FLOAT",
  "VALUE_TRUE",
  "VALUE_FALSE",
  "VALUE_NULL",
]);

export function isScalar(token: Token | null): boolean {
  return token !== null && SCALARS.has(token.kind);
}

type Expect = "value" | "name" | "nameOrEnd" | "valueOrEnd" | "commaOrEnd" | "done";

interface Frame {
  readonly type: "object" | "array";
}

export class JsonPullParser {
  readonly #text: string;
  #pos = 0;
  #stack: Frame[] = [];
  #expect: Expect = "value";
  #current: Token | null = null;

  constructor(text: string) {
    this.#text = text;
  }

  get currentToken(): Token | null {
    return this.#current;
  }

  /** Advances to the next token; `null` at the end of input. */
  nextToken(): Token | null {
    this.#current = this.#read();
    return this.#current;
  }

  /** The next token's field name, or `null` when the next token is not a field name. */
  nextName(): string | null {
    const token = this.nextToken();
    return token?.kind === "FIELD_NAME" ? token.text : null;
  }

  /** The next token's text when it is a string value, else `null`. */
  nextStringValue(): string | null {
    const token = this.nextToken();
    return token?.kind === "VALUE_STRING" ? token.text : null;
  }

  /** The next token as a long when it is an integer, else `fallback`. */
  nextLongValue(fallback: number): number {
    const token = this.nextToken();
    if (token?.kind !== "VALUE_NUMBER_INT") return fallback;
    const value = BigInt(token.text);
    if (value > 9223372036854775807n || value < -9223372036854775808n) {
      throw new JsonSyntaxError(`Numeric value (${token.text}) out of range of long`);
    }
    return Number(value);
  }

  /** `true`/`false` when the next token is a boolean, else `null`. */
  nextBooleanValue(): boolean | null {
    const token = this.nextToken();
    if (token?.kind === "VALUE_TRUE") return true;
    if (token?.kind === "VALUE_FALSE") return false;
    return null;
  }

  /** The next value token, stepping over a field name. */
  nextValue(): Token | null {
    let token = this.nextToken();
    if (token?.kind === "FIELD_NAME") token = this.nextToken();
    return token;
  }

  /** Jackson's `getValueAsString()` for the current token. */
  valueAsString(): string | null {
    const token = this.#current;
    if (!token) return null;
    switch (token.kind) {
      case "VALUE_STRING":
      case "VALUE_NUMBER_INT":
      case "VALUE_NUMBER_FLOAT":
        return token.text;
      case "VALUE_TRUE":
        return "true";
      case "VALUE_FALSE":
        return "false";
      default:
        return null;
    }
  }

  /** Jackson's `getValueAsLong()` for the current (numeric) token. */
  valueAsLong(): number {
    const token = this.#current;
    if (!token) return 0;
    return Math.trunc(Number(token.text));
  }

  #read(): Token | null {
    this.#skipWhitespace();
    if (this.#expect === "commaOrEnd") {
      const char = this.#text[this.#pos];
      const frame = this.#stack[this.#stack.length - 1];
      if (char === "," && frame) {
        this.#pos++;
        this.#expect = frame.type === "object" ? "name" : "value";
        this.#skipWhitespace();
      } else if (char === "}" || char === "]") {
        return this.#close(char);
      } else if (char === undefined) {
        throw this.#eof();
      } else {
        const type = frame?.type === "object" ? "Object entries" : "Array entries";
        throw this.#unexpected(char, `was expecting comma to separate ${type}`);
      }
    }
    if (this.#expect === "done") {
      if (this.#pos >= this.#text.length) return null;
      // A second root value: Jackson reads it as a new token (the trailing-token check sees it).
      this.#expect = "value";
    }
    const char = this.#text[this.#pos];
    if (char === undefined) {
      if (this.#stack.length === 0 && this.#expect === "value") return null;
      throw this.#eof();
    }
    if (this.#expect === "name" || this.#expect === "nameOrEnd") {
      if (char === "}" && this.#expect === "nameOrEnd") return this.#close(char);
      if (char !== '"') throw this.#unexpected(char, "was expecting double-quote to start field name");
      const name = this.#string();
      this.#skipWhitespace();
      if (this.#text[this.#pos] !== ":") {
        const next = this.#text[this.#pos];
        if (next === undefined) throw this.#eof();
        throw this.#unexpected(next, "was expecting a colon to separate field name and value");
      }
      this.#pos++;
      this.#expect = "value";
      return { kind: "FIELD_NAME", text: name };
    }
    if (char === "]" && this.#expect === "valueOrEnd") return this.#close(char);
    return this.#value(char);
  }

  #value(char: string): Token {
    if (char === "{") {
      this.#pos++;
      this.#stack.push({ type: "object" });
      this.#expect = "nameOrEnd";
      return { kind: "START_OBJECT", text: "{" };
    }
    if (char === "[") {
      this.#pos++;
      this.#stack.push({ type: "array" });
      this.#expect = "valueOrEnd";
      return { kind: "START_ARRAY", text: "[" };
    }
    let token: Token;
    if (char === '"') {
      token = { kind: "VALUE_STRING", text: this.#string() };
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      token = this.#number();
    } else {
      const word = /^[A-Za-z0-9_$]+/.exec(this.#text.slice(this.#pos))?.[0] ?? "";
      if (word === "true") token = { kind: "VALUE_TRUE", text: word };
      else if (word === "false") token = { kind: "VALUE_FALSE", text: word };
      else if (word === "null") token = { kind: "VALUE_NULL", text: word };
      else if (word.length > 0) {
        throw new JsonSyntaxError(
          `Unrecognized token '${word}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`,
        );
      } else {
        throw this.#unexpected(char, "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
      }
      this.#pos += word.length;
    }
    this.#afterValue();
    return token;
  }

  #close(char: string): Token {
    const frame = this.#stack.pop();
    const wanted = frame?.type === "object" ? "}" : "]";
    if (!frame || char !== wanted) {
      const actual = char === "}" ? "Object" : "Array";
      throw this.#unexpected(char, `Unexpected close marker '${char}': expected '${wanted}' (for ${actual} starting)`);
    }
    this.#pos++;
    this.#afterValue();
    return { kind: char === "}" ? "END_OBJECT" : "END_ARRAY", text: char };
  }

  #afterValue(): void {
    this.#expect = this.#stack.length === 0 ? "done" : "commaOrEnd";
  }

  #string(): string {
    const start = this.#pos;
    const end = findStringEnd(this.#text, start + 1);
    if (end < 0) throw this.#eof();
    this.#pos = end + 1;
    try {
      return JSON.parse(this.#text.slice(start, end + 1)) as string;
    } catch {
      throw new JsonSyntaxError("Unrecognized character escape or illegal unquoted character in String value");
    }
  }

  #number(): Token {
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.#text.slice(this.#pos));
    if (!match) {
      throw new JsonSyntaxError("Unexpected character: expected digit after minus sign for valid numeric value");
    }
    this.#pos += match[0].length;
    const float = match[1] !== undefined || match[2] !== undefined;
    return { kind: float ? "VALUE_NUMBER_FLOAT" : "VALUE_NUMBER_INT", text: match[0] };
  }

  #skipWhitespace(): void {
    while (this.#pos < this.#text.length && " \t\r\n".includes(this.#text[this.#pos] as string)) this.#pos++;
  }

  #unexpected(char: string, detail: string): JsonSyntaxError {
    const code = char.codePointAt(0) ?? 0;
    if (detail.startsWith("Unexpected close marker")) return new JsonSyntaxError(detail);
    return new JsonSyntaxError(`Unexpected character ('${char}' (code ${code})): ${detail}`);
  }

  #eof(): JsonSyntaxError {
    const frame = this.#stack[this.#stack.length - 1];
    if (!frame) return new JsonSyntaxError("Unexpected end-of-input");
    return new JsonSyntaxError(
      `Unexpected end-of-input: expected close marker for ${frame.type === "object" ? "Object" : "Array"}`,
    );
  }
}

function findStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") i++;
    else if (char === '"') return i;
  }
  return -1;
}
