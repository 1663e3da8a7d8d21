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
  .describe("The security token's ID, 20 characters, e.g. hNAdH.aXHaEqFossMwT8");

export const tokenTypeField = z
  .enum(TOKEN_TYPES)
  .describe("Token type: ReadNodeData (a data token: reads node data) or User (acts as the account)");

export const statusField = z.enum(TOKEN_STATUSES).describe("Active or Disabled");

export const displayModeField = z
  .enum(["json", "pretty", "csv"])
  .optional()
  .describe("Text rendering of the result: json (compact, default), pretty (a table) or csv");

function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item)
    .min(1, `must list at least one ${what}; omit the field instead`)
    .max(MAX_LIST, `must list at most ${MAX_LIST} ${what}s`)
    .refine((values) => new Set(values).size === values.length, `must not repeat a ${what}`);
}

const pattern = visibleText()
  .min(1, "must not hold an empty pattern")
  .max(MAX_PATTERN, `patterns are at most ${MAX_PATTERN} characters`)
  .regex(/^[^\s\p{Cc}]+$/u, "patterns must not hold spaces or control characters");

const aggregation = z.enum(AGGREGATIONS);
const locationPrecision = z.enum(LOCATION_PRECISIONS);

/** The security-policy fields, named as s10k and SolarNetwork name them. */
export const policyFields = {
  nodeIds: uniqueList(z.number().int("node IDs are whole numbers").positive("node IDs are positive").max(Number.MAX_SAFE_INTEGER), "node ID")
    .optional()
    .describe("Restrict to these node IDs, e.g. [100, 101]"),
  sourceIds: uniqueList(pattern, "source ID pattern")
    .optional()
    .describe("Restrict to these datum source IDs; Ant patterns (?, *, **), e.g. ['/REGION1/**']"),
  apiPaths: uniqueList(pattern, "API path pattern")
    .optional()
    .describe("Restrict to these API paths (after /api/v1/sec), Ant patterns; a leading ! excludes, e.g. ['/datum/**']"),
  nodeMetadataPaths: uniqueList(pattern, "node metadata path")
    .optional()
    .describe("Restrict node metadata access to these paths, Ant patterns, e.g. ['/pm/**']"),
  userMetadataPaths: uniqueList(pattern, "user metadata path")
    .optional()
    .describe("Restrict user metadata access to these paths, Ant patterns"),
  minAggregation: aggregation
    .optional()
    .describe("Lowest data aggregation allowed, e.g. Hour for hourly data or coarser"),
  aggregations: uniqueList(aggregation, "aggregation")
    .optional()
    .describe("Exactly which aggregations are allowed (instead of minAggregation)"),
  minLocationPrecision: locationPrecision.optional().describe("Coarsest location precision shown, e.g. PostalCode"),
  locationPrecisions: uniqueList(locationPrecision, "location precision")
    .optional()
    .describe("Exactly which location precisions are allowed (instead of minLocationPrecision)"),
  refreshAllowed: z
    .boolean()
    .optional()
    .describe("Whether holders of a derived signing key may refresh it while the token has not expired"),
};

export const expiryFields = {
  expirationDate: visibleText()
    .optional()
    .describe("Expiry as a date (2026-03-31, midnight at its start) or date and time (2026-03-31T17:00), read in timeZone"),
  timeZone: visibleText()
    .optional()
    .describe("Zone for expirationDate: an IANA zone (Pacific/Auckland), an offset (-05:00) or UTC; default UTC"),
  expiresIn: visibleText()
    .optional()
    .describe("Expiry relative to now instead of expirationDate: an integer and a unit, Y years, M months (30 days), W weeks, D days, h hours, m minutes, s seconds, e.g. 180D"),
};

export const infoFields = {
  name: visibleText().max(128, "names are at most 128 characters").optional().describe("A short name for the token"),
  description: visibleText()
    .max(512, "descriptions are at most 512 characters")
    .optional()
    .describe("What the token is for"),
};

export const mintedByAssistantField = z
  .boolean()
  .optional()
  .describe("true: only tokens with the [ai …] marker of a token an assistant minted here; false: only those without");
