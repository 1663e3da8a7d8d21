import { RefusedError } from "../core/errors.js";
import type { TokenSummary } from "../core/token.js";
import type { Guardrails } from "./guardrails.js";

/**
 * Safety judged by what a change does to a token, not by which tool or argument causes it. Every
 * write describes the token before and after in these terms (each backend maps its own shape onto
 * them); `judge` alone decides from that what is refused, what a person must allow and what is said.
 */

/** A change that brings a token's end this close (or closer) ends it, as far as a person is concerned. */
export const NEAR_END_MS = 24 * 3_600_000;

/** A token as the operator's rules see it, in any backend's terms. */
export interface TokenState {
  /** Whether it can authenticate now. */
  usable: boolean;
  /** When it stops being usable by itself, epoch ms; undefined: never. */
  until: number | undefined;
  /** Undefined when the token system does not name it. */
  owner: string | undefined;
  /** Whether the operator lets this server write tokens of this owner. */
  ownerAllowed: boolean;
  /** Whether this server signs in with it. */
  ownCredential: boolean;
  mintedByAssistant: boolean;
}

/** A token's state from its neutral summary: every backend maps its tokens onto `TokenSummary`. */
export function stateOf(token: TokenSummary, { ownTokenId, ownerAllowed, now }: { ownTokenId: string | undefined; ownerAllowed: boolean; now: number }): TokenState {
  const until = token.expires === undefined ? undefined : Date.parse(token.expires);
  return {
    usable: token.status === "Active" && (until === undefined || until > now),
    until,
    owner: token.owner,
    ownerAllowed,
    ownCredential: token.id === ownTokenId,
    mintedByAssistant: token.provenance !== undefined,
  };
}

/** One write to one token, as the backend plans it. */
export interface TokenChange {
  /** As messages name the system: "SolarNetwork". */
  system: string;
  /** The question's opening, the token quoted as data: "Delete the SolarNetwork security token …". */
  asking: string;
  /** Undefined for a token this change creates. */
  before: TokenState | undefined;
  /** Undefined when the change removes the token (a delete). */
  after: TokenState | undefined;
  /** Set when the operation itself ends the token (a delete, revoke or disable): how, as "deletes it, for good". */
  ending?: string;
  /** Rights the token gains, in the backend's words; empty when it gains none. */
  widerRights: readonly string[];
  /** Anything else a person must see first, in the backend's words (a token for another owner). */
  otherRisks?: readonly string[];
  /** The operator's setting naming the owners this server may write for, where the backend has one. */
  ownersSetting?: string;
}

export type Effect = "ends" | "revives" | "widens" | "extends" | "creates" | "own-credential";

export interface Verdict {
  effects: ReadonlySet<Effect>;
  /** What a person must allow before anything is sent; undefined when nothing needs asking. */
  question?: string;
  /** The server's own credential: asked even where the operator lets changes go unasked, refused where no one can be asked. */
  mustAsk: boolean;
  /** The token becomes usable: every cap applies, as to a create. */
  entersUsable: boolean;
  warnings: string[];
}

/**
 * The one decision on a change: throws the refusal when an operator's rule forbids it (an owner
 * outside the allowed ones, a life past SN_MCP_MAX_LIFETIME), otherwise says what to ask and warn.
 */
export function judge(change: TokenChange, rules: Guardrails, now: number): Verdict {
  const { before, after } = change;
  refuseOutsideOwners(change);
  const usableAfter = after !== undefined && after.usable;
  const usableBefore = before !== undefined && before.usable;
  const effects = new Set<Effect>();
  const reasons: string[] = [];
  const warnings: string[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();

  if (before !== undefined && change.ending !== undefined) {
    // An end for good (or a disable) is asked even of a token unusable now: it could have been revived.
    effects.add("ends");
    reasons.push(usableBefore ? `${change.ending}: anything using it stops working now` : change.ending);
  } else if (usableBefore && !usableAfter) {
    effects.add("ends");
    const how = after && after.until !== undefined && after.until <= now ? "sets its expiry in the past" : "ends it";
    reasons.push(`${how}: anything using it stops working now`);
  } else if (usableBefore && usableAfter && endsBefore(after.until, before.until) && after.until - now <= NEAR_END_MS) {
    effects.add("ends");
    reasons.push(`brings its end to ${iso(after.until)}, within 24 hours: anything using it stops working then`);
  } else if (usableBefore && usableAfter && endsBefore(after.until, before.until)) {
    warnings.push(`The token's expiry moves earlier, to ${iso(after.until)}.`);
  }

  if (before === undefined && after !== undefined) {
    effects.add("creates");
    if (after.until === undefined) reasons.push("makes a token that never expires");
  } else if (!usableBefore && usableAfter) {
    effects.add("revives");
    reasons.push(`makes the unusable token usable again${after.until === undefined ? ", never to expire" : ` until ${iso(after.until)}`}`);
  } else if (usableBefore && usableAfter && endsBefore(before.until, after.until)) {
    effects.add("extends");
    reasons.push(after.until === undefined ? "removes its expiry: it would never expire" : `extends its life from ${before.until === undefined ? "never expiring" : iso(before.until)} to ${iso(after.until)}`);
  }
  if (usableAfter && (effects.has("creates") || effects.has("revives") || effects.has("extends"))) refuseBeyondLifetime(after.until, rules, now);

  if (change.widerRights.length > 0) {
    effects.add("widens");
    reasons.push(...change.widerRights);
  }
  reasons.push(...(change.otherRisks ?? []));

  const own = before?.ownCredential === true;
  if (own) effects.add("own-credential");
  const ownSentence = !own
    ? ""
    : effects.has("ends")
      ? ` This is the token this server itself signs in with: this change locks this server out of ${change.system} until the operator configures another credential.`
      : " This is the token this server itself signs in with.";
  const question = reasons.length > 0 || own ? `${change.asking}?${reasons.length > 0 ? ` This ${reasons.join("; ")}.` : ""}${ownSentence}` : undefined;
  const entersUsable = usableAfter && !usableBefore;
  return { effects, question, mustAsk: own, entersUsable, warnings };
}

/** Whether an end at `end` comes before one at `than` (undefined: never). */
function endsBefore(end: number | undefined, than: number | undefined): end is number {
  return end !== undefined && (than === undefined || end < than);
}

function refuseOutsideOwners({ before, after, ownersSetting }: TokenChange): void {
  const outside = [before, after].find((state) => state !== undefined && !state.ownerAllowed);
  if (!outside) return;
  const setting = ownersSetting ?? "the owners this server may change";
  throw new RefusedError(
    setting,
    `the token belongs to ${outside.owner === undefined ? "an owner the token system does not name" : `«${outside.owner.replace(/[«»]/g, "'")}»`}, whose tokens this server may not change; nothing was sent. The operator can add the owner to ${setting}.`,
  );
}

function refuseBeyondLifetime(until: number | undefined, rules: Guardrails, now: number): void {
  if (rules.maxLifetimeMs === undefined) return;
  const latest = now + rules.maxLifetimeMs;
  if (until !== undefined && until <= latest) return;
  throw new RefusedError(
    "SN_MCP_MAX_LIFETIME",
    `${until === undefined ? "the token would never expire" : `the token would live until ${new Date(until).toISOString()}`}, past the longest lifetime allowed (${new Date(latest).toISOString()}). Give an earlier expiry, or the operator can raise SN_MCP_MAX_LIFETIME.`,
  );
}
