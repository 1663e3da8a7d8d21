import { antPathMatch, grantsEveryPath } from "./ant-path.js";
import { allowedAggregations, allowedLocationPrecisions, policyAfterUpdate, wirePolicy } from "./effective-policy.js";
import type { Policy, Token } from "./model.js";
import type { PolicyUpdateMode } from "./service.js";

/**
 * Whether a change to a token gives it more access (widening), judged on the policy SolarNetwork
 * will store (see effective-policy.ts), not on the fields the call names. An absent restriction
 * means "everything", so adding the first restriction narrows and removing the last one widens.
 */

export interface RequestedChange {
  policy?: Policy;
  mode: PolicyUpdateMode;
}

export interface ChangeClassification {
  /** Plain-language reasons the change gives more rights; empty when it gives none. (A longer life or a re-enable is judged in src/safety/effects.ts.) */
  widening: string[];
  /** The policy the token will have (the current one when the change names none). */
  after: Policy;
  /** Whether the stored policy stays exactly as it is. */
  policyUnchanged: boolean;
  /** Policy fields the token has now and will not have after (a replace that does not name them). */
  dropped: (keyof Policy)[];
}

const PATTERN_SETS = [
  ["sourceIds", "source ID patterns"],
  ["nodeMetadataPaths", "node metadata paths"],
  ["userMetadataPaths", "user metadata paths"],
] as const;

export function classifyChange(current: Token, change: RequestedChange): ChangeClassification {
  const before = wirePolicy(current.policy);
  const after = change.policy ? policyAfterUpdate(before, change.policy, change.mode) : before;
  const widening: string[] = [];

  if (before.nodeIds && !after.nodeIds) widening.push("removes the node ID restriction");
  else if (before.nodeIds && after.nodeIds) {
    const added = after.nodeIds.filter((id) => !before.nodeIds!.includes(id));
    if (added.length) widening.push(`adds node IDs ${added.join(", ")}`);
  }
  for (const [key, label] of PATTERN_SETS) {
    const had = before[key];
    if (had && !after[key]) widening.push(`removes the ${label} restriction`);
    else if (had && after[key]) {
      const broader = after[key].filter((pattern) => !covered(pattern, had));
      if (broader.length) widening.push(`adds ${label} ${broader.join(", ")}`);
    }
  }
  widening.push(...apiPathWidening(before.apiPaths ?? [], after.apiPaths ?? []));
  widening.push(
    ...levelWidening("aggregation", before.minAggregation, after.minAggregation, allowedAggregations(before), allowedAggregations(after)),
    ...levelWidening(
      "location precision",
      before.minLocationPrecision,
      after.minLocationPrecision,
      allowedLocationPrecisions(before),
      allowedLocationPrecisions(after),
    ),
  );
  if (after.refreshAllowed === true && before.refreshAllowed !== true) widening.push("allows signing-key refresh");

  const dropped = (Object.keys(before) as (keyof Policy)[]).filter((key) => after[key] === undefined);
  return { widening, after, policyUnchanged: samePolicy(before, after), dropped };
}

/** A pattern adds nothing when it is already present, or is a literal path an existing pattern matches. */
function covered(pattern: string, existing: readonly string[]): boolean {
  if (existing.includes(pattern)) return true;
  return !/[*?{]/.test(pattern) && existing.some((other) => antPathMatch(other, pattern));
}

/** `apiPaths`: positive patterns allow, `!` patterns deny; no positive pattern means every path. */
function apiPathWidening(before: readonly string[], after: readonly string[]): string[] {
  const allows = (paths: readonly string[]) => paths.filter((p) => !p.startsWith("!"));
  const denies = (paths: readonly string[]) => paths.filter((p) => p.startsWith("!"));
  const reasons: string[] = [];
  const allowedBefore = allows(before);
  if (allowedBefore.length > 0 && !grantsEveryPath(allowedBefore)) {
    if (allows(after).length === 0) reasons.push("removes the API path restriction");
    else {
      const broader = allows(after).filter((p) => !covered(p, allowedBefore));
      if (broader.length) reasons.push(`adds API paths ${broader.join(", ")}`);
    }
  }
  const lifted = denies(before).filter((p) => !denies(after).includes(p));
  if (lifted.length) reasons.push(`lifts API path exclusions ${lifted.join(", ")}`);
  return reasons;
}

/**
 * Aggregation or location precision: a minimum allows every level from it up, an exact set only
 * its levels, neither every level. Widening is any level allowed after that was not before.
 */
function levelWidening(
  label: string,
  minBefore: string | undefined,
  minAfter: string | undefined,
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
): string[] {
  if (before === undefined) return [];
  if (after === undefined) return [minBefore !== undefined ? `removes the minimum ${label}` : `removes the ${label}s restriction`];
  const added = after.filter((level) => !before.includes(level));
  if (added.length === 0) return [];
  if (minBefore !== undefined && minAfter !== undefined) return [`lowers the minimum ${label} from ${minBefore} to ${minAfter}`];
  if (minAfter !== undefined) {
    return [`allows ${label}s ${added.join(", ")}: SolarNetwork replaces an exact set with every level from the minimum ${minAfter} up`];
  }
  return [`adds ${label}s ${added.join(", ")}`];
}

function samePolicy(a: Policy, b: Policy): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof Policy)[]);
  return [...keys].every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}
