import { z } from "zod";
import { TOKEN_STATUSES, TOKEN_TYPES, type Aggregation, type LocationPrecision } from "./vocabulary.js";

/** SolarNetwork's returned Token and its policy; the vocabulary (types, statuses, policy enums) is re-exported. */

export * from "./vocabulary.js";

/** A security policy as SolarNetwork stores it: `notAfter` in epoch milliseconds. */
export interface Policy {
  nodeIds?: number[];
  sourceIds?: string[];
  apiPaths?: string[];
  nodeMetadataPaths?: string[];
  userMetadataPaths?: string[];
  minAggregation?: Aggregation;
  aggregations?: Aggregation[];
  minLocationPrecision?: LocationPrecision;
  locationPrecisions?: LocationPrecision[];
  notAfter?: number;
  refreshAllowed?: boolean;
}

/** The policy fields that restrict what a token may reach (`notAfter` and `refreshAllowed` do not). */
export const RESTRICTION_FIELDS = [
  "nodeIds", "sourceIds", "apiPaths", "nodeMetadataPaths", "userMetadataPaths",
  "minAggregation", "aggregations", "minLocationPrecision", "locationPrecisions",
] as const satisfies readonly (keyof Policy)[];

/**
 * Whether a policy restricts its token (SolarNetwork's `policyIsUnrestricted`, negated). Only an
 * unrestricted User token may manage tokens; a restricted one is refused and lists only itself.
 */
export function isRestricted(policy: Partial<Record<(typeof RESTRICTION_FIELDS)[number], unknown>> | undefined): boolean {
  return policy !== undefined && RESTRICTION_FIELDS.some((field) => policy[field] !== undefined);
}

// Plain strings, not enums: a value a newer SolarNetwork adds must still be shown, not dropped.
const restrictionShape = {
  nodeIds: z.array(z.number().int()).optional(),
  sourceIds: z.array(z.string()).optional(),
  apiPaths: z.array(z.string()).optional(),
  nodeMetadataPaths: z.array(z.string()).optional(),
  userMetadataPaths: z.array(z.string()).optional(),
  minAggregation: z.string().optional(),
  aggregations: z.array(z.string()).optional(),
  minLocationPrecision: z.string().optional(),
  locationPrecisions: z.array(z.string()).optional(),
  refreshAllowed: z.boolean().optional(),
};

/** A policy as the tools return it. */
export const tokenPolicySchema = z.object({
  ...restrictionShape,
  notAfter: z.string().optional().describe("Expiry, ISO 8601 UTC"),
});

/** A token as the tools return it: never a secret; `created` and `policy.notAfter` in ISO 8601 UTC. */
export const tokenSchema = z.object({
  id: z.string(),
  created: z.string().describe("Creation time, ISO 8601 UTC"),
  userId: z.number().int(),
  name: z.string().optional(),
  description: z.string().optional(),
  status: z.enum(TOKEN_STATUSES),
  type: z.enum(TOKEN_TYPES),
  expired: z.boolean(),
  policy: tokenPolicySchema.optional(),
});
export type Token = z.infer<typeof tokenSchema>;
export type TokenPolicy = z.infer<typeof tokenPolicySchema>;
