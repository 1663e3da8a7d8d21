import type { Aggregation, LocationPrecision, Policy } from "../../backends/solarnetwork/model.js";
import { z } from "zod";

/**
 * SolarNetwork's security policy semantics (`BasicSecurityPolicy`, its builder and Jackson codec in
 * solarnetwork-common), over our wire `Policy` type, written for the simulator apart from the
 * client's policy code. A stored policy is always in the form the real server writes: no empty
 * sets, no repeats, `nodeIds` sorted, and only the minimum when a minimum aggregation or location
 * precision is set (the builder then allows every level from it up).
 */

/** The builder's `build()`: what the server stores for these parts. */
export function storedPolicy(parts: Policy): Policy {
  const stored: Record<string, unknown> = {};
  for (const key of POLICY_FIELD_ORDER) {
    const value = parts[key];
    if (value === undefined || SUPERSEDED_BY[key]?.(parts)) continue;
    if (!Array.isArray(value)) stored[key] = value;
    else if (value.length > 0) stored[key] = key === "nodeIds" ? [...new Set(value as number[])].sort((a, b) => a - b) : [...new Set<unknown>(value)];
  }
  return stored as Policy;
}

/** An exact set is dropped when its minimum is set. */
const SUPERSEDED_BY: Partial<Record<keyof Policy, (parts: Policy) => boolean>> = {
  aggregations: (parts) => parts.minAggregation !== undefined,
  locationPrecisions: (parts) => parts.minLocationPrecision !== undefined,
};

/**
 * `PATCH /policy` without `replace`: `withPolicy(existing).withMergedPolicy(update)`. Each set of
 * the update is added to the existing one; every other value the update has replaces the existing.
 */
export function mergedPolicy(existing: Policy | undefined, update: Policy): Policy {
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    const before = merged[key];
    merged[key] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value;
  }
  return storedPolicy(merged as Policy);
}

/** Whether a policy restricts anything (an expiry and the refresh flag restrict nothing): such a token may manage only itself. */
export function restricts(policy: Policy | undefined): boolean {
  return Object.entries(policy ?? {}).some(([key, value]) => value !== undefined && key !== "notAfter" && key !== "refreshAllowed");
}

/** Token types, statuses and location precisions, as the API names them. */
export const TOKEN_TYPES = ["ReadNodeData", "User"] as const;
export const TOKEN_STATUSES = ["Active", "Disabled"] as const;
const LOCATION_PRECISIONS: readonly LocationPrecision[] = [
  "LatLong", "Block", "Street", "PostalCode", "Locality", "StateOrProvince", "Region", "TimeZone", "Country",
];

/** `Aggregation.forKey`'s short keys, each with its name (both are accepted). */
const AGGREGATION_KEYS: Readonly<Record<string, Aggregation>> = {
  "0": "None", m: "Minute", "5m": "FiveMinute", "10m": "TenMinute", "15m": "FifteenMinute",
  "30m": "ThirtyMinute", h: "Hour", hd: "HourOfDay", hy: "HourOfYear", shd: "SeasonalHourOfDay",
  d: "Day", wd: "DayOfWeek", yd: "DayOfYear", swd: "SeasonalDayOfWeek", w: "Week", yw: "WeekOfYear",
  M: "Month", y: "Year", rt: "RunningTotal",
};

/** `!policy.isValidAt(now)`: `notAfter` strictly before now. */
export function isExpired(policy: Policy | undefined, nowMs: number): boolean {
  return policy?.notAfter !== undefined && policy.notAfter < nowMs;
}

/** The wire JSON of a policy, fields in the order the real serializer writes them. */
export function policyJson(policy: Policy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of POLICY_FIELD_ORDER) {
    const value = policy[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const POLICY_FIELD_ORDER = [
  "nodeIds", "sourceIds", "minAggregation", "aggregations", "minLocationPrecision", "locationPrecisions",
  "nodeMetadataPaths", "userMetadataPaths", "apiPaths", "notAfter", "refreshAllowed",
] as const satisfies readonly (keyof Policy)[];

export type DecodedPolicy =
  | { readonly kind: "policy"; readonly policy: Policy }
  | { readonly kind: "null" }
  /** Not JSON, or a field of the wrong type: the server answers 422 `Malformed JSON: <message>`. */
  | { readonly kind: "malformed"; readonly message: string }
  /** An empty list, which the real server mis-reads (an internal error there): the server answers 500. */
  | { readonly kind: "internal" };

const list = <T extends z.ZodType>(item: T) => z.array(item).optional();
const policyBodySchema = z.looseObject({
  nodeIds: list(z.number().int()),
  sourceIds: list(z.string()),
  apiPaths: list(z.string()),
  nodeMetadataPaths: list(z.string()),
  userMetadataPaths: list(z.string()),
  minAggregation: z.string().nullish(),
  aggregations: list(z.string()),
  minLocationPrecision: z.string().nullish(),
  locationPrecisions: list(z.string()),
  notAfter: z.unknown().optional(),
  refreshAllowed: z.boolean().optional(),
});

/** A policy as the simulator keeps it in a sandbox file: the request body's fields, with the stored types. */
export const storedPolicySchema = policyBodySchema.extend({
  minAggregation: z.string().optional(),
  minLocationPrecision: z.string().optional(),
  notAfter: z.number().int().positive().optional(),
});

/**
 * A `@RequestBody SecurityPolicy`, by explicit rules that match what the real server stores:
 * unknown fields are ignored, unknown aggregation and precision names dropped (a null minimum
 * aggregation is `None`), a `notAfter` that is not a positive whole number ignored; an empty list
 * is refused as an internal error, because the real server mis-reads one (clients must omit the field).
 */
export function decodePolicy(text: string): DecodedPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "malformed", message: "Unable to parse SecurityPolicy (not JSON)" };
  }
  if (value === null) return { kind: "null" };
  if (typeof value !== "object" || Array.isArray(value)) return { kind: "malformed", message: "Unable to parse SecurityPolicy (not an object)" };
  const parsed = policyBodySchema.safeParse(value);
  if (!parsed.success) return { kind: "malformed", message: "Unable to parse SecurityPolicy (a field has the wrong type)" };
  const body = parsed.data;
  const lists = [body.nodeIds, body.sourceIds, body.apiPaths, body.nodeMetadataPaths, body.userMetadataPaths, body.aggregations, body.locationPrecisions];
  if (lists.some((values) => values?.length === 0)) return { kind: "internal" };
  const minAggregation = body.minAggregation === undefined ? undefined : aggregationForKey(body.minAggregation);
  return {
    kind: "policy",
    policy: storedPolicy({
      nodeIds: body.nodeIds,
      sourceIds: body.sourceIds,
      apiPaths: body.apiPaths,
      nodeMetadataPaths: body.nodeMetadataPaths,
      userMetadataPaths: body.userMetadataPaths,
      minAggregation,
      aggregations: known(body.aggregations?.map(aggregationForKey)),
      minLocationPrecision: body.minLocationPrecision ? locationPrecision(body.minLocationPrecision) : undefined,
      locationPrecisions: known(body.locationPrecisions?.map(locationPrecision)),
      notAfter: Number.isSafeInteger(body.notAfter) && (body.notAfter as number) > 0 ? (body.notAfter as number) : undefined,
      refreshAllowed: body.refreshAllowed,
    }),
  };
}

/** `Aggregation.forKey`: null or empty means `None`; a name or short key; anything else dropped. */
function aggregationForKey(key: string | null): Aggregation | undefined {
  if (key === null || key === "") return "None";
  if ((Object.values(AGGREGATION_KEYS) as string[]).includes(key)) return key as Aggregation;
  return AGGREGATION_KEYS[key];
}

function locationPrecision(name: string): LocationPrecision | undefined {
  return (LOCATION_PRECISIONS as readonly string[]).includes(name) ? (name as LocationPrecision) : undefined;
}

function known<T>(values: (T | undefined)[] | undefined): T[] | undefined {
  return values?.filter((value): value is T => value !== undefined);
}
