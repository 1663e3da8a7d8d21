import type { Tool as ListedTool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Tool } from "./tools/tool.js";

/**
 * The tools/list listing, which a model reads on every turn.
 *
 * An input schema tells the model what each field means and what it holds: types, enums, defaults,
 * numeric ranges. The checks the server makes anyway, with a message naming the field and before
 * any request (text and list lengths, text patterns, unknown keys), are left out of it: they cost
 * the model tokens on every turn and would tell it less than the refusal does. A field a tool leaves
 * undescribed is described by another tool (update_token's policy fields mean what create_token says
 * they mean), so it is listed by its type alone. Output schemas are given whole: clients check
 * `structuredContent` against them, and no model reads them.
 */
export function toolListing(tools: readonly Pick<Tool, "name" | "title" | "description" | "input" | "output" | "annotations">[]): ListedTool[] {
  return tools.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: listedInputSchema(jsonSchema(tool.input, "input")),
    outputSchema: jsonSchema(tool.output, "output"),
    annotations: { title: tool.title, ...tool.annotations },
  }));
}

type Schema = Record<string, unknown>;
type ObjectSchema = Schema & { type: "object"; properties?: Record<string, Schema>; definitions?: Record<string, Schema> };

/** Keywords of a checked input the server refuses with its own message: the model is not given them. */
// Unknown keys too: a client that refused them itself would hide the server's hint for the ones a model
// is likely to try (VAST's `status`: "VMS tokens cannot be disabled…").
const SERVER_CHECKED = ["minItems", "maxItems", "minLength", "maxLength", "pattern", "additionalProperties"];
const DEFINITION_PREFIX = "#/definitions/";

/** `schema` (a tool's input, as zod gives it) as the model is given it. Pure. */
export function listedInputSchema(schema: ObjectSchema): ObjectSchema {
  const definitions = schema.definitions ?? {};
  const resolve = (node: Schema): Schema =>
    typeof node.$ref === "string" ? resolve(definitions[node.$ref.slice(DEFINITION_PREFIX.length)]!) : node;
  const bareType = (node: Schema): Schema => {
    const target = resolve(Array.isArray(node.allOf) && node.allOf.length === 1 ? (node.allOf[0] as Schema) : node);
    return target.type === "array" ? { type: "array", items: bareType(target.items as Schema) } : { type: target.type };
  };
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([key, field]) => [key, field.description === undefined ? bareType(field) : field]),
  );
  const stripped = withoutKeywords({ ...schema, properties }) as ObjectSchema;
  return inlineDefinitions(stripped);
}

function withoutKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutKeywords);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !SERVER_CHECKED.includes(key))
      .map(([key, value]) => [key, key === "properties" || key === "definitions" ? mapValues(value as Schema, withoutKeywords) : withoutKeywords(value)]),
  );
}

/**
 * Definitions are worth their reference only when used more than once and larger than a reference:
 * the others are written where they are used, and a field `allOf: [ref]` (zod's wrapping, so that a
 * description beside a draft-7 `$ref` counts) becomes the definition's keywords beside its own. A
 * reference with nothing beside it needs no wrapping.
 */
function inlineDefinitions(schema: ObjectSchema): ObjectSchema {
  const { definitions = {}, ...rest } = schema;
  const uses = new Map<string, number>();
  countReferences(rest, uses);
  const kept = Object.keys(definitions).filter((name) => (uses.get(name) ?? 0) > 1 && JSON.stringify(definitions[name]).length > 40);
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (node === null || typeof node !== "object") return node;
    const { allOf, $ref, ...own } = node as Schema;
    const single = Array.isArray(allOf) && allOf.length === 1 ? (allOf[0] as Schema) : undefined;
    const reference = typeof $ref === "string" ? $ref : typeof single?.$ref === "string" ? single.$ref : undefined;
    const mapped = mapValues(own, inline);
    if (reference === undefined) return allOf === undefined ? mapped : { ...mapped, allOf: inline(allOf) };
    const name = reference.slice(DEFINITION_PREFIX.length);
    if (!kept.includes(name)) return { ...(inline(definitions[name]) as Schema), ...mapped };
    return Object.keys(mapped).length === 0 ? { $ref: reference } : { ...mapped, allOf: [{ $ref: reference }] };
  };
  const body = inline(rest) as ObjectSchema;
  if (kept.length === 0) return body;
  return { ...body, definitions: Object.fromEntries(kept.map((name) => [name, inline(definitions[name]) as Schema])) };
}

function countReferences(node: unknown, uses: Map<string, number>): void {
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") {
      const name = value.slice(DEFINITION_PREFIX.length);
      uses.set(name, (uses.get(name) ?? 0) + 1);
    } else countReferences(value, uses);
  }
}

function mapValues(record: Schema, map: (value: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/**
 * A tool's JSON Schema, without the ±(2^53 − 1) bounds zod states for every integer (true of any
 * JSON number a model writes, and 26 characters each).
 */
function jsonSchema(schema: z.ZodObject, io: "input" | "output"): ObjectSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: "draft-7",
    io,
    override: ({ jsonSchema: node }) => {
      if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
      if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
    },
  }) as Schema;
  return { ...rest, type: "object" as const };
}
