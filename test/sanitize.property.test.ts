import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasInvisible, INVISIBLE_CHARACTERS, sanitizeText } from "../src/safety/sanitize.js";

/**
 * The fast paths of the sanitiser against their definitions: `hasInvisible` looks up each
 * character once instead of running the Unicode-property pattern over the whole text, and
 * `sanitizeText` returns printable ASCII with nothing to trim as it is.
 */
// Tab and line breaks read as spaces (not removed: that would join two lone surrogates into a pair).
const byDefinition = (text: string) => new RegExp(INVISIBLE_CHARACTERS.source, "u").test(text.replace(/[\t\n\r]/g, " "));

// Printable ASCII, the characters the rendering uses, invisible ones, and surrogates paired and alone.
const character = fc.oneof(
  fc.string({ unit: "grapheme-ascii", maxLength: 3 }),
  fc.constantFrom("«", "»", "—", "…", "\t", "\n", "\r", " ", "\u200b", "\u00ad", "\u2800", "\ufeff", "😀", "\u{e0041}", "\ud800", "\udc00", "\u0085"),
  fc.string({ unit: "binary", maxLength: 2 }),
);
const text = fc.array(character, { maxLength: 20 }).map((parts) => parts.join(""));

describe("the sanitiser's fast paths", () => {
  it("hasInvisible answers as the Unicode-property pattern over the whole text, tab and line breaks aside", () => {
    fc.assert(
      fc.property(text, (sample) => {
        expect(hasInvisible(sample)).toBe(byDefinition(sample));
      }),
      { numRuns: 5000 },
    );
  });

  it("sanitizeText returns clean text as it is, and cleans anything else", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 30 }), (sample, maxLength) => {
        const cleaned = sanitizeText(sample, maxLength);
        expect(hasInvisible(cleaned)).toBe(false);
        expect(cleaned).toBe(cleaned.trim());
        expect([...cleaned].length).toBeLessThanOrEqual(maxLength);
        if (/^[\x20-\x7e]*$/.test(sample) && sample.length <= maxLength) expect(cleaned).toBe(sample.trim());
      }),
      { numRuns: 3000 },
    );
  });
});
