import {
  AGGREGATIONS,
  LOCATION_PRECISIONS,
  type Aggregation,
  type LocationPrecision,
  type Policy,
} from "../tokens/model.js";
import { buildPolicy } from "../tokens/effective-policy.js";
import { JsonPullParser, JsonSyntaxError, isScalar } from "./json-stream.js";

/**
 * SolarNetwork's security policy semantics (`BasicSecurityPolicy`, its builder and Jackson codec in
 * solarnetwork-common), over our wire `Policy` type. A stored policy is always in the form the
 * real server writes: no empty sets, `nodeIds` sorted, only the minimum when a minimum
 * aggregation or location precision is set (see src/tokens/effective-policy.ts).
 */

export { buildPolicy, mergePolicy } from "../tokens/effective-policy.js";

/** Aggregation keys `Aggregation.forKey` also accepts, besides the names. */
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
  /** Jackson failed: the server answers 422 `Malformed JSON: <message>`. */
  | { readonly kind: "malformed"; readonly message: string }
  /** The real deserializer throws a NullPointerException here: the server answers 500. */
  | { readonly kind: "internal" };

class NullPointer extends Error {}

/**
 * Decodes a request body the way `BasicSecurityPolicyDeserializer` does, quirks included:
 * unknown enum values are dropped, a `notAfter` that is not a positive integer is ignored, a
 * non-string `minAggregation` means `None`, and an empty `aggregations` array falls through into
 * the `minLocationPrecision` branch (an internal error upstream) while an empty
 * `locationPrecisions` array swallows the next field name (then Jackson 3's trailing-token check
 * rejects the document).
 */
export function decodePolicy(text: string): DecodedPolicy {
  const parser = new JsonPullParser(text);
  try {
    const first = parser.nextToken();
    let policy: Policy | undefined;
    if (first === null || first.kind === "VALUE_NULL") {
      policy = undefined;
    } else if (first.kind !== "START_OBJECT") {
      return { kind: "malformed", message: "Unable to parse SecurityPolicy (not an object)" };
    } else {
      policy = readPolicyFields(parser);
    }
    const trailing = parser.nextToken();
    if (trailing !== null) {
      return {
        kind: "malformed",
        message: `Trailing token (of type ${trailing.kind}) found after value (bound as \`net.solarnetwork.domain.SecurityPolicy\`): not allowed as per \`DeserializationFeature.FAIL_ON_TRAILING_TOKENS\``,
      };
    }
    return policy ? { kind: "policy", policy } : { kind: "null" };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { kind: "malformed", message: error.message };
    if (error instanceof NullPointer) return { kind: "internal" };
    throw error;
  }
}

function readPolicyFields(parser: JsonPullParser): Policy {
  const data: Policy = {};
  for (let name = parser.nextName(); name !== null; name = parser.nextName()) {
    switch (name) {
      case "nodeIds": {
        const ids = parseLongArray(parser);
        if (ids && ids.length > 0) data.nodeIds = ids;
        break;
      }
      case "minAggregation": {
        const value = aggregationForKey(parser.nextStringValue());
        if (value) data.minAggregation = value;
        break;
      }
      case "aggregations": {
        const array = parseStringArray(parser);
        if (array && array.length > 0) {
          const set = array.map(aggregationForKey).filter((a): a is Aggregation => a !== undefined);
          if (set.length > 0) data.aggregations = set;
          break;
        }
        // Upstream falls through into the minLocationPrecision branch here. The token it reads is
        // a field name or the object's end, never a string, so `valueOf(null)` throws.
        locationPrecisionValueOf(parser.nextStringValue());
        break;
      }
      case "minLocationPrecision": {
        const value = locationPrecisionValueOf(parser.nextStringValue());
        if (value) data.minLocationPrecision = value;
        break;
      }
      case "locationPrecisions": {
        const array = parseStringArray(parser);
        if (array && array.length > 0) {
          const set = array
            .map(locationPrecisionValueOf)
            .filter((p): p is LocationPrecision => p !== undefined);
          if (set.length > 0) data.locationPrecisions = set;
          break;
        }
        // Upstream falls through into the string-set branch, which reads one more token.
        parseStringArray(parser);
        break;
      }
      case "sourceIds":
      case "nodeMetadataPaths":
      case "userMetadataPaths":
      case "apiPaths": {
        const array = parseStringArray(parser)?.filter((s): s is string => s !== null);
        if (array && array.length > 0) data[name] = array;
        break;
      }
      case "notAfter": {
        const value = parser.nextLongValue(0);
        if (value > 0) data.notAfter = value;
        break;
      }
      case "refreshAllowed": {
        const value = parser.nextBooleanValue();
        if (value !== null) data.refreshAllowed = value;
        break;
      }
      default:
        parser.nextValue();
    }
  }
  return buildPolicy(data);
}

function parseStringArray(parser: JsonPullParser): (string | null)[] | null {
  if (parser.nextToken()?.kind !== "START_ARRAY") return null;
  const list: (string | null)[] = [];
  for (let token = parser.nextToken(); token !== null && token.kind !== "END_ARRAY"; token = parser.nextToken()) {
    list.push(isScalar(token) ? parser.valueAsString() : null);
  }
  return list;
}

/** Non-numeric entries are dropped here (upstream keeps a null that later fails to serialize). */
function parseLongArray(parser: JsonPullParser): number[] | null {
  if (parser.nextToken()?.kind !== "START_ARRAY") return null;
  const list: number[] = [];
  for (let token = parser.nextToken(); token !== null && token.kind !== "END_ARRAY"; token = parser.nextToken()) {
    if (token.kind === "VALUE_NUMBER_INT" || token.kind === "VALUE_NUMBER_FLOAT") list.push(parser.valueAsLong());
  }
  return list;
}

/** `Aggregation.forKey`: null or empty means `None`; a name or short key; anything else dropped. */
function aggregationForKey(key: string | null): Aggregation | undefined {
  if (key === null || key === "") return "None";
  if ((AGGREGATIONS as readonly string[]).includes(key)) return key as Aggregation;
  return AGGREGATION_KEYS[key];
}

/** `LocationPrecision.valueOf`: null throws (a NullPointerException upstream); unknown dropped. */
function locationPrecisionValueOf(name: string | null): LocationPrecision | undefined {
  if (name === null) throw new NullPointer();
  return (LOCATION_PRECISIONS as readonly string[]).includes(name) ? (name as LocationPrecision) : undefined;
}
