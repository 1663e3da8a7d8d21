import { z } from "zod";
import { described, uniqueList, visibleText } from "../../../tools/fields.js";
import { AGGREGATIONS, LOCATION_PRECISIONS, TOKEN_STATUSES, TOKEN_TYPES } from "../model.js";

/** Input fields of the SolarNetwork tools, each described for the model that fills them in. */

const MAX_PATTERN = 256;

/** SolarNetwork token IDs are 20 printable characters; older ones may hold punctuation. */
export const tokenIdField = z
  .string()
  .regex(/^[\x21-\x7e]{20}$/, "must be a SolarNetwork token ID: exactly 20 printable characters, no spaces")
  .describe("Token ID, e.g. hNAdH.aXHaEqFossMwT8");

export const tokenTypeField = z
  .enum(TOKEN_TYPES)
  .describe("ReadNodeData reads node data; User acts as the account");

export const statusField = z.enum(TOKEN_STATUSES).describe("Active or Disabled");

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

/** A SolarNetwork token's name and description, undescribed, as update_token lists them. */
export const undescribedInfoFields = {
  name: visibleText().max(128, "names are at most 128 characters").optional(),
  description: visibleText().max(512, "descriptions are at most 512 characters").optional(),
};

export const infoFields = described(undescribedInfoFields, { name: "A short name", description: "What the token is for" });
