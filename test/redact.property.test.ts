import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, Redactor } from "../src/safety/redact.js";

/**
 * The redactor hashes a text only at every (shortest value − 7)th position. Checked here against
 * the plainest reading of what it must do: every occurrence of every form of every secret, A–Z in
 * either case, found by indexOf at every position; occurrences that overlap hidden as one.
 */
function forms(secret: string | Uint8Array): string[] {
  const bytes = Buffer.from(secret);
  const base64 = [bytes.toString("base64"), bytes.toString("base64url")].flatMap((form) => [form, form.replace(/=+$/, "")]);
  return [typeof secret === "string" ? secret : bytes.toString("hex"), ...base64].filter((form) => form.length >= 8);
}

function foldAZ(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

function expected(text: string, secrets: readonly (string | Uint8Array)[], reveal?: string): string {
  const folded = foldAZ(text);
  const found: [number, number][] = [];
  for (const form of secrets.flatMap(forms).map(foldAZ)) {
    for (let at = folded.indexOf(form); at >= 0; at = folded.indexOf(form, at + 1)) found.push([at, at + form.length]);
  }
  found.sort((a, b) => a[0] - b[0]);
  let output = "";
  let copied = 0;
  let range: [number, number] | undefined;
  const replace = ([start, end]: [number, number]) => {
    const match = text.slice(start, end);
    output += text.slice(copied, start) + (match === reveal ? match : REDACTED);
    copied = end;
  };
  for (const [start, end] of found) {
    if (range && start < range[1]) range[1] = Math.max(range[1], end);
    else {
      if (range) replace(range);
      range = [start, end];
    }
  }
  if (range) replace(range);
  return output + text.slice(copied);
}

// A small alphabet, so that secrets share windows, overlap and nearly match.
const letter = fc.constantFrom("a", "b", "A", "B", "0", "-");
const secret = fc.array(letter, { minLength: 8, maxLength: 24 }).map((letters) => letters.join(""));
const recased = (text: string) => fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((upper) =>
  [...text].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join(""),
);

describe("Redactor, sampled scan", () => {
  it("hides exactly what a search at every position would hide", () => {
    const scenario = fc.array(secret, { minLength: 1, maxLength: 5 }).chain((secrets) =>
      fc.record({
        secrets: fc.constant(secrets),
        text: fc
          .array(fc.oneof(fc.array(letter, { maxLength: 12 }).map((l) => l.join("")), fc.constantFrom(...secrets).chain(recased)), { maxLength: 8 })
          .map((parts) => parts.join("")),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ secrets, text }) => {
        const redactor = new Redactor();
        for (const value of secrets) redactor.addSecret(value);
        expect(redactor.text(text)).toBe(expected(text, secrets));
      }),
      { numRuns: 2000 },
    );
  });

  it("finds keys in every form and case, with secrets of other lengths registered between scans", () => {
    const key = fc.uint8Array({ minLength: 4, maxLength: 20 });
    const scenario = fc.array(fc.oneof(secret, key), { minLength: 1, maxLength: 4 }).chain((secrets) =>
      fc.record({
        secrets: fc.constant(secrets),
        texts: fc.array(
          fc.array(fc.oneof(fc.array(letter, { maxLength: 10 }).map((l) => l.join("")), fc.constantFrom(...secrets.flatMap(forms), "x").chain(recased)), { maxLength: 6 }).map((parts) => parts.join(" ")),
          { minLength: secrets.length, maxLength: secrets.length },
        ),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ secrets, texts }) => {
        const redactor = new Redactor();
        secrets.forEach((value, index) => {
          redactor.addSecret(value);
          const text = texts[index] as string;
          expect(redactor.text(text)).toBe(expected(text, secrets.slice(0, index + 1)));
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps only the reveal, where it is a whole replacement", () => {
    fc.assert(
      fc.property(fc.array(secret, { minLength: 1, maxLength: 3 }), fc.array(letter, { maxLength: 10 }), (secrets, filler) => {
        const redactor = new Redactor();
        for (const value of secrets) redactor.addSecret(value);
        const reveal = secrets[0] as string;
        const text = `${filler.join("")} ${reveal} ${secrets.join(" ")}`;
        expect(redactor.text(text, reveal)).toBe(expected(text, secrets, reveal));
      }),
      { numRuns: 500 },
    );
  });
});
