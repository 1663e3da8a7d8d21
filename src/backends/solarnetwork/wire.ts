import { TOKEN_STATUSES, TOKEN_TYPES } from "./vocabulary.js";

/**
 * SolarNetwork's token JSON, checked where it lies rather than decoded into a copy. A listing reads
 * the whole account on every call; zod's decoding of a /find reply allocated six times the reply's
 * size and was the largest part of a call's own work. The values are then read into a Token (api.ts).
 * Fields a newer SolarNetwork adds are passed over, not refused.
 */

type Check<T> = (value: unknown) => value is T;
/** The type a record of checks accepts; a check that accepts undefined makes its field optional. */
type Checked<Fields extends Record<string, Check<unknown>>> = {
  [K in keyof Fields as undefined extends Guarded<Fields[K]> ? never : K]: Guarded<Fields[K]>;
} & { [K in keyof Fields as undefined extends Guarded<Fields[K]> ? K : never]?: Guarded<Fields[K]> };
type Guarded<C> = C extends Check<infer T> ? T : never;

const isString: Check<string> = (value) => typeof value === "string";
// Finite and safe, as zod's number() and int(): JSON's 1e400 parses as Infinity.
const isNumber: Check<number> = (value): value is number => Number.isFinite(value);
const isBoolean: Check<boolean> = (value) => typeof value === "boolean";
/** A time in epoch milliseconds that a Date can hold (±100,000,000 days). */
const isEpochMs: Check<number> = (value): value is number => isNumber(value) && Math.abs(value) <= 8.64e15;
const isInteger: Check<number> = (value): value is number => Number.isSafeInteger(value);
const optional = <T>(check: Check<T>): Check<T | undefined> => (value) => value === undefined || check(value);
const nullish = <T>(check: Check<T>): Check<T | null | undefined> => (value) => value == null || check(value);
const listOf = <T>(check: Check<T>): Check<T[]> => (value) => Array.isArray(value) && value.every(check);
const either = <A, B>(a: Check<A>, b: Check<B>): Check<A | B> => (value) => a(value) || b(value);
const oneOf = <T extends string>(values: readonly T[]): Check<T> => (value): value is T => (values as readonly unknown[]).includes(value);

function record<Fields extends Record<string, Check<unknown>>>(fields: Fields): Check<Checked<Fields>> {
  const checks = Object.entries(fields);
  return (value): value is Checked<Fields> => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    const fieldsOf = value as Record<string, unknown>;
    for (const [key, check] of checks) if (!check(Object.hasOwn(fieldsOf, key) ? fieldsOf[key] : undefined)) return false;
    return true;
  };
}

// Plain strings, not enums: a value a newer SolarNetwork adds must still be shown, not dropped.
const strings = optional(listOf(isString));

/** A policy as SolarNetwork sends it: `notAfter` in epoch milliseconds. */
export const isWirePolicy = record({
  nodeIds: optional(listOf(isInteger)),
  sourceIds: strings,
  apiPaths: strings,
  nodeMetadataPaths: strings,
  userMetadataPaths: strings,
  minAggregation: optional(isString),
  aggregations: strings,
  minLocationPrecision: optional(isString),
  locationPrecisions: strings,
  refreshAllowed: optional(isBoolean),
  notAfter: optional(isEpochMs),
});
export type WirePolicy = Guarded<typeof isWirePolicy>;

export const isWireToken = record({
  id: isString,
  created: either(isString, isEpochMs),
  userId: isNumber,
  name: nullish(isString),
  description: nullish(isString),
  status: oneOf(TOKEN_STATUSES),
  type: oneOf(TOKEN_TYPES),
  expired: optional(isBoolean),
  policy: nullish(isWirePolicy),
  authSecret: optional(isString),
});
export type WireToken = Guarded<typeof isWireToken>;

export const isFindReply = record({ results: nullish(listOf(isWireToken)) });
