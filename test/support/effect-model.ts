import fc from "fast-check";
import { expect, it } from "vitest";

/**
 * The invariants of issue #18's model-based tests, over a backend-neutral snapshot of the
 * simulator's own store (read directly, not through the tools): what a sequence of tool calls may
 * and may not have done to the tokens, for a person who declines every question and for one who
 * accepts every question.
 */

export const DAY = 86_400_000;
/** The model's clock stands still, so that no token ends by itself between two steps. */
export const NOW = Date.parse("2026-12-08T12:00:00Z");

/** A step on one of the tokens there are. */
export const onToken = (tool: string, args: fc.Arbitrary<Record<string, unknown>>) => fc.record({ tool: fc.constant(tool), target: fc.nat(30), args });

/** Expiries that end (now, within a day), shorten, extend, or pass SN_MCP_MAX_LIFETIME. */
export const expiryChange = fc.oneof(
  fc.record({ expiresIn: fc.constantFrom("1s", "2h", "25h", "7D", "60D") }),
  fc.constant({ expirationDate: "2020-01-01T00:00", timeZone: "UTC" }),
);

export interface ModelToken {
  usable: boolean;
  /** Epoch ms; undefined: never expires. */
  until: number | undefined;
  owner: string;
  /** The token as stored, for "unchanged". */
  raw: string;
}

export interface Snapshot {
  /** In the order the tokens were created. */
  tokens: ReadonlyMap<string, ModelToken>;
}

export interface Rules {
  now: number;
  ownTokenId: string;
  /** The rights `after` has that `before` did not (the backend's own words); empty when none. */
  widerRights(id: string, before: ModelToken, after: ModelToken): string[];
}

/** A person who declines every question: nothing ended, shortened to a day, revived, widened or extended; the own token untouched. */
export function declinedViolations(before: Snapshot, after: Snapshot, rules: Rules): string[] {
  const violations: string[] = [];
  for (const [id, was] of before.tokens) {
    const is = after.tokens.get(id);
    if (id === rules.ownTokenId && is?.raw !== was.raw) violations.push(`the server's own token ${id} changed`);
    if (was.usable && !is?.usable) violations.push(`usable token ${id} became unusable`);
    if (!is) continue;
    if (was.usable && is.usable && endsBefore(is.until, was.until) && is.until! <= rules.now + DAY) violations.push(`token ${id} got an end within 24 hours`);
    if (!was.usable && is.usable) violations.push(`unusable token ${id} was revived`);
    if (endsBefore(was.until, is.until)) violations.push(`token ${id} lives longer`);
    violations.push(...rules.widerRights(id, was, is).map((reason) => `token ${id} widened: ${reason}`));
  }
  return violations;
}

export interface AcceptedRules {
  now: number;
  maxActiveTokens: number;
  maxLifetimeMs: number;
  /** Tokens of owners the server may not write for: never touched. */
  untouchable: ReadonlySet<string>;
}

/** A person who accepts every question: still inside the operator's caps, owners and lifetime. */
export function acceptedViolations(before: Snapshot, after: Snapshot, rules: AcceptedRules): string[] {
  const violations: string[] = [];
  const usable = [...after.tokens.values()].filter((token) => token.usable).length;
  if (usable > rules.maxActiveTokens) violations.push(`${usable} usable tokens, over the cap of ${rules.maxActiveTokens}`);
  for (const id of rules.untouchable) {
    if (before.tokens.get(id)?.raw !== after.tokens.get(id)?.raw) violations.push(`token ${id} of an owner outside the allowed ones was touched`);
  }
  const latest = rules.now + rules.maxLifetimeMs + 1_000;
  for (const [id, is] of after.tokens) {
    const changed = before.tokens.get(id)?.raw !== is.raw;
    if (changed && is.usable && (is.until === undefined || is.until > latest)) violations.push(`token ${id} lives past SN_MCP_MAX_LIFETIME: ${is.raw}`);
  }
  return violations;
}

/** Whether an end at `end` comes before one at `than` (undefined: never). */
function endsBefore(end: number | undefined, than: number | undefined): boolean {
  return end !== undefined && (than === undefined || end < than);
}

export type Answer = "decline" | "accept";

/** One tool call of a sequence; `target` picks a token by index into those there are (modulo their number). */
export interface Step {
  tool: string;
  target?: number;
  args: Record<string, unknown>;
}

/** A backend's server, started with its simulator for one sequence. */
export interface ModelServer {
  ownTokenId: string;
  /** Tokens of owners the server may not write for. */
  untouchable: ReadonlySet<string>;
  call(tool: string, args: Record<string, unknown>): Promise<unknown>;
  /** The simulator's own state, read directly. */
  snapshot(): Snapshot;
  close(): Promise<void>;
}

/** The operator's rules a person who accepts everything still meets: few active tokens, a month's life at most. */
const MAX_ACTIVE_TOKENS = 5;
const MAX_LIFETIME_DAYS = 30;

/** The server's environment for `answer`: with `accept`, the operator's rules above. */
export function operatorEnv(answer: Answer): Record<string, string> {
  return answer === "accept" ? { SN_MCP_MAX_ACTIVE_TOKENS: String(MAX_ACTIVE_TOKENS), SN_MCP_MAX_LIFETIME: `${MAX_LIFETIME_DAYS}D` } : {};
}

export interface ModelBackend {
  /** Starts a server whose client answers every question so, with `operatorEnv(answer)`. */
  start(answer: Answer): Promise<ModelServer>;
  widerRights: Rules["widerRights"];
}

/** Runs the steps, checking the invariants for `answer` after each; counts the tokens ended and revived. */
export async function runSequence(backend: ModelBackend, steps: readonly Step[], answer: Answer): Promise<{ violations: string[]; ended: number; revived: number }> {
  const server = await backend.start(answer);
  const totals = { violations: [] as string[], ended: 0, revived: 0 };
  const now = NOW;
  try {
    for (const { tool, target, args } of steps) {
      const before = server.snapshot();
      // A person who allows everything may end the server's own token; the operator's rules are what is tested then.
      // In the snapshot's order (the tokens' creation), which the seed fixes: token IDs are random.
      const ids = [...before.tokens.keys()].filter((id) => answer === "decline" || id !== server.ownTokenId);
      const call = target === undefined ? args : { ...args, tokenId: ids[target % ids.length] };
      await server.call(tool, call);
      const after = server.snapshot();
      const violations =
        answer === "decline"
          ? declinedViolations(before, after, { now, ownTokenId: server.ownTokenId, widerRights: backend.widerRights })
          : acceptedViolations(before, after, { now, maxActiveTokens: MAX_ACTIVE_TOKENS, maxLifetimeMs: MAX_LIFETIME_DAYS * DAY, untouchable: server.untouchable });
      totals.violations.push(...violations.map((violation) => `${tool} ${JSON.stringify(call)}: ${violation}`));
      for (const [id, was] of before.tokens) {
        const is = after.tokens.get(id);
        if (was.usable && !is?.usable) totals.ended++;
        if (!was.usable && is?.usable) totals.revived++;
      }
    }
  } finally {
    await server.close();
  }
  return totals;
}

const SEED = 1_802_026;
const RUNS = 12;
/** About 5 to 10 s each on a loaded 2-core machine: the margin is for CI, not a measure. */
const PATIENCE_MS = 60_000;

/** The two properties, for a person who declines every question and for one who accepts every one: seeded, reproducible. */
export function modelTests(backend: ModelBackend, step: fc.Arbitrary<Step>): void {
  const steps = fc.array(step, { minLength: 1, maxLength: 10 });
  it("a person who declines every question: no usable token ends or gets an end within 24 hours, none widens, revives or lives longer, the own token is untouched", async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (sequence) => {
        expect((await runSequence(backend, sequence, "decline")).violations).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, PATIENCE_MS);

  it("a person who accepts every question: the active-token cap, the allowed owners and the longest lifetime still hold", async () => {
    let ended = 0;
    let revived = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (sequence) => {
        const outcome = await runSequence(backend, sequence, "accept");
        ended += outcome.ended;
        revived += outcome.revived;
        expect(outcome.violations).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Not vacuous: the accepted questions did end and revive tokens.
    expect(ended).toBeGreaterThan(0);
    expect(revived).toBeGreaterThan(0);
  }, PATIENCE_MS);
}
