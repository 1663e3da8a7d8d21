import { z } from "zod";
import { hasInvisible } from "../safety/sanitize.js";
import { AGGREGATIONS, LOCATION_PRECISIONS, TOKEN_STATUSES, TOKEN_TYPES } from "../backends/solarnetwork/model.js";

/** Input fields shared by several tools, each described for the model that fills them in. */

const MAX_LIST = 200;
const MAX_PATTERN = 256;

const VISIBLE_ONLY = "must not hold invisible, zero-width or bidirectional control characters";

/** A text argument the model writes: every character visible, so a person reads what is sent. */
export function visibleText() {
  return z.string().refine((text) => !hasInvisible(text), VISIBLE_ONLY);
}

/** SolarNetwork token IDs are 20 printable characters; older ones may hold punctuation. */
export const tokenIdField = z
  .string()
  .regex(/^[\x21-\x7e]{20}$/, "must be a SolarNetwork token ID: exactly 20 printable characters, no spaces")
  .describe("Token ID, e.g. hNAdH.aXHaEqFossMwT8");

export const tokenTypeField = z
  .enum(TOKEN_TYPES)
  .describe("ReadNodeData reads node data; User acts as the account");

export const statusField = z.enum(TOKEN_STATUSES).describe("Active or Disabled");

/** displayMode undescribed, for a tool whose fields are as in create_token; `displayModeField` described. */
export const undescribedDisplayModeField = z.enum(["json", "pretty", "csv"]).optional();
export const displayModeField = undescribedDisplayModeField.describe("Text: json (default), pretty or csv");

function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return (
    z
      .array(item)
      .min(1, `must list at least one ${what}; omit the field instead`)
      // A refinement, not .max(): the cap guards the server, and no model needs telling on every turn.
      .refine((values) => values.length <= MAX_LIST, `must list at most ${MAX_LIST} ${what}s`)
      .refine((values) => new Set(values).size === values.length, `must not repeat a ${what}`)
  );
}

// An `id` makes each tool's JSON Schema hold these once, as definitions its fields refer to: the
// model reads the 19 aggregations once per tool, not once per field.
const pattern = visibleText()
  .min(1, "must not hold an empty pattern")
  .max(MAX_PATTERN, `patterns are at most ${MAX_PATTERN} characters`)
  .regex(/^[^\s\p{Cc}]+$/u, "patterns must not hold spaces or control characters")
  .meta({ id: "pattern" });

const aggregation = z.enum(AGGREGATIONS).meta({ id: "aggregation" });
const locationPrecision = z.enum(LOCATION_PRECISIONS).meta({ id: "locationPrecision" });

/** The security-policy fields, named as s10k and SolarNetwork name them; undescribed, as update_token lists them. */
export const undescribedPolicyFields = {
  nodeIds: uniqueList(z.number().int("node IDs are whole numbers").positive("node IDs are positive"), "node ID").optional(),
  sourceIds: uniqueList(pattern, "source ID pattern").optional(),
  apiPaths: uniqueList(pattern, "API path pattern").optional(),
  nodeMetadataPaths: uniqueList(pattern, "node metadata path").optional(),
  userMetadataPaths: uniqueList(pattern, "user metadata path").optional(),
  minAggregation: aggregation.optional(),
  aggregations: uniqueList(aggregation, "aggregation").optional(),
  minLocationPrecision: locationPrecision.optional(),
  locationPrecisions: uniqueList(locationPrecision, "location precision").optional(),
  refreshAllowed: z.boolean().optional(),
};

export const undescribedExpiryFields = {
  expirationDate: visibleText().optional(),
  timeZone: visibleText().optional(),
  expiresIn: visibleText().optional(),
};

/** The policy fields as create_token describes them. */
export const policyFields = described(undescribedPolicyFields, {
  nodeIds: "Node IDs allowed, e.g. [100, 101]",
  sourceIds: "Source ID patterns allowed, e.g. /REGION1/**",
  apiPaths: "API paths allowed, under /api/v1/sec; ! excludes, e.g. /datum/**",
  nodeMetadataPaths: "Node metadata paths allowed, e.g. /pm/**",
  userMetadataPaths: "User metadata paths allowed",
  minAggregation: "Finest aggregation allowed, e.g. Hour",
  aggregations: "Or the aggregations allowed",
  minLocationPrecision: "Finest location precision allowed, e.g. PostalCode",
  locationPrecisions: "Or the location precisions allowed",
  refreshAllowed: "Signing keys may be refreshed until expiry",
});

/** The expiry fields as every create describes them. */
export const expiryFields = described(undescribedExpiryFields, {
  expirationDate: "Expiry: 2026-03-31 (its start) or 2026-03-31T17:00, in timeZone",
  timeZone: "Zone of expirationDate: Pacific/Auckland, -05:00, UTC (default)",
  expiresIn: "Or expiry from now: 180D, 12h, 2W, 6M (30 d), 1Y, 30m or ISO P30D",
});

/**
 * The same fields, each with its description. A tool listing both a create and an update has the
 * update refer to the create's descriptions instead of repeating them: the model reads each once.
 */
function described<Shape extends Record<string, z.ZodType>>(shape: Shape, descriptions: { [Key in keyof Shape]: string }): Shape {
  return Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.describe(descriptions[key]!)])) as Shape;
}

/** A SolarNetwork token's name and description, undescribed, as update_token lists them. */
export const undescribedInfoFields = {
  name: visibleText().max(128, "names are at most 128 characters").optional(),
  description: visibleText().max(512, "descriptions are at most 512 characters").optional(),
};

export const infoFields = described(undescribedInfoFields, { name: "A short name", description: "What the token is for" });

export const mintedByAssistantField = z
  .boolean()
  .optional()
  .describe("true: only those an assistant minted here");
