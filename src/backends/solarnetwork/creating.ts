import { errorText, existingTokenNamed } from "../../core/errors.js";
import { resolveLostCreate } from "../../core/lost-create.js";
import type { Guardrails } from "../../safety/guardrails.js";
import type { Logger } from "../../log.js";
import { buildPolicy, wirePolicy } from "./effective-policy.js";
import { isSolarNetworkError } from "./errors.js";
import type { Policy, Token, TokenType } from "./model.js";
import { applyCreateRules, refuseOverActiveCap } from "./rules.js";
import type { TokenInfo, TokenService } from "./service.js";

/** A SolarNetwork create as decided before anything is sent. */
export interface CreatePlan {
  type: TokenType;
  /** The policy to mint, the operator's rules (default expiry, lifetime cap) applied. */
  policy: Policy;
  /** What a person must see first besides its life (judged in src/safety/effects.ts); empty when nothing. */
  risks: string[];
}

/** Plans a create: the operator's rules applied, the risks a person must allow named. Pure: throws a refusal, sends nothing. */
export function planCreate(type: TokenType, requested: Policy, guardrails: Guardrails, now: number): CreatePlan {
  const policy = applyCreateRules(type, requested, guardrails, now);
  const risks = type === "User" ? ["makes a User token, which acts as the whole account within its apiPaths"] : [];
  return { type, policy, risks };
}

export interface MintDeps {
  tokens: TokenService;
  guardrails: Guardrails;
  log: Logger;
  signal: AbortSignal;
}

export interface Minted {
  token: Token;
  secret: string;
  warnings: string[];
}

/**
 * Mints a planned token: the operator's active-token cap checked, then generate, then name
 * (generate takes no name: like s10k, a second call sets it; by default `user<id>_api_token`). A
 * failed naming leaves the token and its secret intact and says so; a generate with no usable
 * reply is resolved (its orphan found and deleted) rather than retried. The account's tokens are
 * read first, so that the orphan can only be a token that did not exist before.
 */
export async function mintToken(
  plan: CreatePlan,
  requestedInfo: { name?: string; description: string; nonce?: string },
  deps: MintDeps,
): Promise<Minted> {
  const { tokens, guardrails, log, signal } = deps;
  // One fresh listing serves the operator's cap and, should the reply be lost, what was there before.
  const existing = await tokens.list({ fresh: true }, signal);
  refuseOverActiveCap(existing, guardrails);
  const before = new Set(existing.map((token) => token.id));
  const { nonce } = requestedInfo;
  const policy = nonce === undefined || plan.policy.notAfter === undefined ? plan.policy : { ...plan.policy, notAfter: stampedExpiry(plan.policy.notAfter, nonce) };
  let created;
  try {
    created = await tokens.create(plan.type, policy, signal);
  } catch (error) {
    if (!isSolarNetworkError(error) || !error.details.mayHaveApplied) throw error;
    return await removeOrphan({ ...plan, policy }, nonce, before, deps);
  }
  const warnings: string[] = [];
  let token = created.token;
  if (before.has(token.id)) throw existingTokenNamed("SolarNetwork", token.id);
  // Cancelled while generating: the token is ended again as undeliverable, so naming it is moot.
  if (signal.aborted) return { token, secret: created.secret, warnings };
  const info: Required<TokenInfo> = { name: requestedInfo.name || `user${token.userId}_api_token`, description: requestedInfo.description };
  try {
    await tokens.setInfo(token.id, info, signal);
    token = { ...token, ...info };
  } catch (error) {
    log.warn("setting the new token's name failed", { tokenId: token.id, error: errorText(error) });
    warnings.push(
      `The token was created, but setting its name and description failed (${errorText(error)}), so it also lacks the [ai …] marker that shows an assistant minted it. Use update_token to set them.`,
    );
  }
  return { token, secret: created.secret, warnings };
}

/**
 * A generate carries no name or description, so the create's nonce rides in the one field that can
 * vary without changing what the token may do: its expiry's milliseconds, set at most a second
 * earlier than asked. A lost reply's token is then found by it, never another client's token of the
 * same type and policy made meanwhile.
 */
export function stampedExpiry(notAfter: number, nonce: string): number {
  const stamped = notAfter - (notAfter % 1000) + nonceMilliseconds(nonce);
  return stamped <= notAfter ? stamped : stamped - 1000;
}

function nonceMilliseconds(nonce: string): number {
  return Number.parseInt(nonce, 36) % 1000;
}

/**
 * A create with no usable reply may have made a token whose secret no one has. It has no name yet
 * (naming is a second call): find it (new since `before`, unnamed, of this type, its expiry
 * carrying the nonce; without an expiry, of this very policy) and delete it again.
 */
function removeOrphan({ type, policy }: CreatePlan, nonce: string | undefined, before: ReadonlySet<string>, { tokens, log }: MintDeps): Promise<never> {
  const sent = JSON.stringify(buildPolicy(policy));
  const carriesNonce = (token: Token) =>
    nonce === undefined || policy.notAfter === undefined
      ? JSON.stringify(buildPolicy(wirePolicy(token.policy))) === sent
      : token.policy?.notAfter !== undefined && Date.parse(token.policy.notAfter) === policy.notAfter;
  return resolveLostCreate({
    system: "SolarNetwork",
    findOrphans: async () => ({
      orphans: (await tokens.list({ type, fresh: true }))
        .filter((token) => !before.has(token.id) && token.name === undefined && carriesNonce(token))
        .map((token) => token.id),
    }),
    unsearchable: `SolarNetwork may have made an unnamed ${type} token whose secret no one has: find it with list_tokens and delete it before creating another.`,
    end: { verb: "delete", tool: "delete_token", run: (id) => tokens.delete(id) },
    log,
  });
}
