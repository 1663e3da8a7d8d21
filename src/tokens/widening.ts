import { antPathMatch } from "./ant-path.js";
import { AGGREGATIONS, LOCATION_PRECISIONS, type Policy, type Token, type TokenStatus } from "./model.js";
import type { PolicyUpdateMode } from "./service.js";

/**
 * Whether a change to a token gives it more access (widening) or less (narrowing). An absent
 * restriction means "everything", so adding the first restriction narrows and removing the last
 * one widens. Unknown is treated as widening: a person confirms rather than a guess letting it by.
 */

export interface RequestedChange {
  policy?: Policy;
  mode: PolicyUpdateMode;
  status?: TokenStatus;
}

export interface ChangeClassification {
  /** Plain-language reasons the change gives more access; empty when it gives none. */
  widening: string[];
}

const PATTERN_SETS = [
  ["sourceIds", "source ID patterns"],
  ["nodeMetadataPaths", "node metadata paths"],
  ["userMetadataPaths", "user metadata paths"],
] as const;

export function classifyChange(current: Token, change: RequestedChange): ChangeClassification {
  const widening: string[] = [];
  const before = current.policy ?? {};
  const policy = change.policy;
  if (policy) {
    // With merge, a field not given is kept; with replace, it is removed.
    const given = <K extends keyof Policy>(key: K) => policy[key] !== undefined;
    const removed = <K extends keyof Policy>(key: K) => change.mode === "replace" && !given(key);

    if (removed("nodeIds") && before.nodeIds?.length) widening.push("removes the node ID restriction");
    else if (given("nodeIds") && before.nodeIds?.length) {
      const added = policy.nodeIds!.filter((id) => !before.nodeIds!.includes(id));
      if (added.length) widening.push(`adds node IDs ${added.join(", ")}`);
    }

    for (const [key, label] of PATTERN_SETS) {
      const had = before[key] ?? [];
      if (removed(key) && had.length) widening.push(`removes the ${label} restriction`);
      else if (given(key) && had.length) {
        const broader = policy[key]!.filter((pattern) => !covered(pattern, had));
        if (broader.length) widening.push(`adds ${label} ${broader.join(", ")}`);
      }
    }

    widening.push(...apiPathWidening(before.apiPaths ?? [], policy.apiPaths, change.mode));

    widening.push(
      ...levelWidening("minimum aggregation", AGGREGATIONS, before.minAggregation, policy.minAggregation, removed("minAggregation")),
      ...levelWidening("minimum location precision", LOCATION_PRECISIONS, before.minLocationPrecision, policy.minLocationPrecision, removed("minLocationPrecision")),
      ...setWidening("aggregations", before.aggregations, policy.aggregations, removed("aggregations")),
      ...setWidening("location precisions", before.locationPrecisions, policy.locationPrecisions, removed("locationPrecisions")),
    );

    const notAfter = before.notAfter ? Date.parse(before.notAfter) : undefined;
    if (notAfter !== undefined && removed("notAfter")) widening.push("removes the expiry (the token would never expire)");
    else if (notAfter !== undefined && policy.notAfter !== undefined && policy.notAfter > notAfter) {
      widening.push(`extends the expiry from ${before.notAfter} to ${new Date(policy.notAfter).toISOString()}`);
    }
    if (policy.refreshAllowed === true && before.refreshAllowed !== true) widening.push("allows signing-key refresh");
  }
  if (change.status === "Active" && current.status === "Disabled") widening.push("re-enables the disabled token");
  return { widening };
}

/** A pattern adds nothing when it is already present, or is a literal path an existing pattern matches. */
function covered(pattern: string, existing: readonly string[]): boolean {
  if (existing.includes(pattern)) return true;
  return !/[*?{]/.test(pattern) && existing.some((other) => antPathMatch(other, pattern));
}

/** `apiPaths`: positive patterns allow, `!` patterns deny; no positive pattern means every path. */
function apiPathWidening(before: readonly string[], given: readonly string[] | undefined, mode: PolicyUpdateMode): string[] {
  const after = given === undefined ? (mode === "replace" ? [] : before) : mode === "merge" ? [...before, ...given] : given;
  const allows = (paths: readonly string[]) => paths.filter((p) => !p.startsWith("!"));
  const denies = (paths: readonly string[]) => paths.filter((p) => p.startsWith("!"));
  const reasons: string[] = [];
  if (allows(before).length > 0) {
    if (allows(after).length === 0) reasons.push("removes the API path restriction");
    else {
      const broader = allows(after).filter((p) => !covered(p, allows(before)));
      if (broader.length) reasons.push(`adds API paths ${broader.join(", ")}`);
    }
  }
  const lifted = denies(before).filter((p) => !denies(after).includes(p));
  if (lifted.length) reasons.push(`lifts API path exclusions ${lifted.join(", ")}`);
  return reasons;
}

/** A minimum level moved towards the finer end of its scale, or removed, allows more. */
function levelWidening<T extends string>(
  label: string,
  scale: readonly T[],
  before: string | undefined,
  given: string | undefined,
  removed: boolean,
): string[] {
  if (before === undefined) return [];
  if (removed) return [`removes the ${label}`];
  if (given !== undefined && scale.indexOf(given as T) < scale.indexOf(before as T)) {
    return [`lowers the ${label} from ${before} to ${given}`];
  }
  return [];
}

function setWidening(label: string, before: readonly string[] | undefined, given: readonly string[] | undefined, removed: boolean): string[] {
  if (!before?.length) return [];
  if (removed) return [`removes the ${label} restriction`];
  const added = (given ?? []).filter((value) => !before.includes(value));
  return added.length ? [`adds ${label} ${added.join(", ")}`] : [];
}
