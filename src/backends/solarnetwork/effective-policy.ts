import { AGGREGATIONS, LOCATION_PRECISIONS, type Policy, type TokenPolicy } from "./model.js";

/**
 * The policy SolarNetwork will store, computed as its `BasicSecurityPolicy` builder does: no empty
 * sets, `nodeIds` sorted, and only the minimum when a minimum aggregation or location precision is
 * set (the builder then allows every level from the minimum up and drops an exact set). Widening is
 * judged on this, not on the fields a call names.
 */

/** Builder semantics: drop empty sets, de-duplicate, sort node IDs, keep only a set minimum. */
export function buildPolicy(parts: Policy): Policy {
  const policy: Policy = {};
  const nodeIds = distinct(parts.nodeIds);
  if (nodeIds) policy.nodeIds = [...nodeIds].sort((a, b) => a - b);
  const sourceIds = distinct(parts.sourceIds);
  if (sourceIds) policy.sourceIds = sourceIds;
  if (parts.minAggregation !== undefined) policy.minAggregation = parts.minAggregation;
  else {
    const aggregations = distinct(parts.aggregations);
    if (aggregations) policy.aggregations = aggregations;
  }
  if (parts.minLocationPrecision !== undefined) policy.minLocationPrecision = parts.minLocationPrecision;
  else {
    const precisions = distinct(parts.locationPrecisions);
    if (precisions) policy.locationPrecisions = precisions;
  }
  const nodeMetadataPaths = distinct(parts.nodeMetadataPaths);
  if (nodeMetadataPaths) policy.nodeMetadataPaths = nodeMetadataPaths;
  const userMetadataPaths = distinct(parts.userMetadataPaths);
  if (userMetadataPaths) policy.userMetadataPaths = userMetadataPaths;
  const apiPaths = distinct(parts.apiPaths);
  if (apiPaths) policy.apiPaths = apiPaths;
  if (parts.notAfter !== undefined) policy.notAfter = parts.notAfter;
  if (parts.refreshAllowed !== undefined) policy.refreshAllowed = parts.refreshAllowed;
  return policy;
}

/**
 * `PATCH /policy`: `withPolicy(existing).withMergedPolicy(update)`. Sets are unioned (existing
 * values first), a minimum, `notAfter` and `refreshAllowed` replaced only when the update has one.
 */
export function mergePolicy(existing: Policy | undefined, update: Policy): Policy {
  const base = existing ?? {};
  return buildPolicy({
    nodeIds: union(base.nodeIds, update.nodeIds),
    sourceIds: union(base.sourceIds, update.sourceIds),
    aggregations: union(base.aggregations, update.aggregations),
    minAggregation: update.minAggregation ?? base.minAggregation,
    locationPrecisions: union(base.locationPrecisions, update.locationPrecisions),
    minLocationPrecision: update.minLocationPrecision ?? base.minLocationPrecision,
    nodeMetadataPaths: union(base.nodeMetadataPaths, update.nodeMetadataPaths),
    userMetadataPaths: union(base.userMetadataPaths, update.userMetadataPaths),
    apiPaths: union(base.apiPaths, update.apiPaths),
    notAfter: update.notAfter ?? base.notAfter,
    refreshAllowed: update.refreshAllowed ?? base.refreshAllowed,
  });
}

/** The policy an update leaves on the token: merged into the current one, or replacing it. */
export function policyAfterUpdate(current: Policy, update: Policy, mode: "merge" | "replace"): Policy {
  return mode === "merge" ? mergePolicy(current, update) : buildPolicy(update);
}

/** A returned token's policy (ISO `notAfter`) in SolarNetwork's own form (epoch ms). */
export function wirePolicy(policy: TokenPolicy | undefined): Policy {
  if (!policy) return {};
  const { notAfter, ...rest } = policy;
  return { ...(rest as Omit<Policy, "notAfter">), ...(notAfter !== undefined ? { notAfter: Date.parse(notAfter) } : {}) };
}

/** The aggregation levels a policy allows; undefined: every level. */
export function allowedAggregations(policy: Policy): readonly string[] | undefined {
  return allowedLevels(AGGREGATIONS, policy.minAggregation, policy.aggregations);
}

/** The location precisions a policy allows; undefined: every precision. */
export function allowedLocationPrecisions(policy: Policy): readonly string[] | undefined {
  return allowedLevels(LOCATION_PRECISIONS, policy.minLocationPrecision, policy.locationPrecisions);
}

function allowedLevels(scale: readonly string[], minimum: string | undefined, exact: readonly string[] | undefined) {
  if (minimum !== undefined) {
    const from = scale.indexOf(minimum);
    return from < 0 ? [minimum] : scale.slice(from);
  }
  return exact?.length ? exact : undefined;
}

function distinct<T>(values: readonly T[] | undefined): T[] | undefined {
  if (!values || values.length === 0) return undefined;
  return [...new Set(values)];
}

function union<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | undefined {
  if (!a || a.length === 0) return b ? [...b] : undefined;
  if (!b) return [...a];
  return [...a, ...b];
}
