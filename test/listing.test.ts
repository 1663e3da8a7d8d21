import { describe, expect, it } from "vitest";
import { listedInputSchema } from "../src/listing.js";

const level = { type: "string", enum: ["Low", "High"] };

describe("listedInputSchema", () => {
  it("leaves out the bounds the server checks, and keeps types, enums, defaults, ranges and a field named like a keyword", () => {
    const listed = listedInputSchema({
      type: "object",
      properties: {
        names: { description: "Names", type: "array", minItems: 1, maxItems: 9, items: { type: "string", minLength: 1, maxLength: 8, pattern: "^a" } },
        limit: { description: "Per page", type: "integer", minimum: 1, maximum: 500, default: 50 },
        pattern: { description: "A field called pattern", type: "string", pattern: "^b" },
      },
      required: ["names"],
      additionalProperties: false,
    });
    expect(listed).toEqual({
      type: "object",
      properties: {
        names: { description: "Names", type: "array", items: { type: "string" } },
        limit: { description: "Per page", type: "integer", minimum: 1, maximum: 500, default: 50 },
        pattern: { description: "A field called pattern", type: "string" },
      },
      required: ["names"],
    });
  });

  it("lists a field described elsewhere by its type alone, through references and lists", () => {
    const listed = listedInputSchema({
      type: "object",
      properties: {
        least: { allOf: [{ $ref: "#/definitions/level" }] },
        levels: { type: "array", items: { $ref: "#/definitions/level" } },
        ids: { type: "array", items: { type: "integer", exclusiveMinimum: 0 } },
      },
      definitions: { level },
    });
    expect(listed).toEqual({
      type: "object",
      properties: { least: { type: "string" }, levels: { type: "array", items: { type: "string" } }, ids: { type: "array", items: { type: "integer" } } },
    });
  });

  it("keeps a definition used more than once, and writes one used once where it is used", () => {
    const wide = { type: "string", enum: ["North", "East", "South", "West", "Up", "Down"] };
    const listed = listedInputSchema({
      type: "object",
      properties: {
        least: { description: "Least", allOf: [{ $ref: "#/definitions/wide" }] },
        all: { description: "All", type: "array", items: { allOf: [{ $ref: "#/definitions/wide" }] } },
        one: { description: "One", allOf: [{ $ref: "#/definitions/level" }] },
      },
      definitions: { wide, level },
    });
    expect(listed).toEqual({
      type: "object",
      properties: {
        least: { description: "Least", allOf: [{ $ref: "#/definitions/wide" }] },
        all: { description: "All", type: "array", items: { $ref: "#/definitions/wide" } },
        one: { ...level, description: "One" },
      },
      definitions: { wide },
    });
  });
});
