import { RefusedError } from "../../core/errors.js";
import { boundedExpiry, type Guardrails } from "../../safety/guardrails.js";
import type { Policy, Token, TokenType } from "./model.js";
import { restrictsApiPaths } from "./policy.js";
import type { PolicyUpdateMode, TokenService } from "./service.js";

/** The operator's limits (src/safety/guardrails.ts) as they apply to SolarNetwork tokens and policies. */

/** The policy to mint, with the operator's default expiry applied; throws when a rule forbids it. */
export function applyCreateRules(type: TokenType, policy: Policy, rules: Guardrails, now: number): Policy {
  if (rules.allowedTokenTypes && !rules.allowedTokenTypes.includes(type)) {
    throw new RefusedError(
      "SN_MCP_TOKEN_TYPES",
      `${type} tokens may not be created here (allowed: ${rules.allowedTokenTypes.join(", ")}). The operator can change SN_MCP_TOKEN_TYPES.`,
    );
  }
  checkUserTokenPaths(type, policy.apiPaths, rules);
  return withLifetime(policy, rules, now, "create");
}

/** Checks a policy update against the rules; returns the policy to send (expiry rules applied). */
export function applyUpdateRules(current: Token, policy: Policy, mode: PolicyUpdateMode, rules: Guardrails, now: number): Policy {
  const apiPaths = mode === "merge" ? [...(current.policy?.apiPaths ?? []), ...(policy.apiPaths ?? [])] : policy.apiPaths;
  checkUserTokenPaths(current.type, apiPaths, rules);
  if (mode === "merge" && policy.notAfter === undefined) return policy;
  return withLifetime(policy, rules, now, "update");
}

/** Refuses one more active token when the account is at the operator's cap (one listing call, only when a cap is set). */
export async function enforceActiveTokenCap(tokens: TokenService, rules: Guardrails, signal?: AbortSignal): Promise<void> {
  if (rules.maxActiveTokens === undefined) return;
  refuseOverActiveCap(await tokens.list({ status: "Active", fresh: true }, signal), rules);
}

/** The same check on a listing already read: `tokens` is the whole account, or its Active tokens. */
export function refuseOverActiveCap(tokens: readonly Token[], rules: Guardrails): void {
  if (rules.maxActiveTokens === undefined) return;
  const activeTokens = tokens.filter((token) => token.status === "Active" && !token.expired).length;
  if (activeTokens >= rules.maxActiveTokens) {
    throw new RefusedError(
      "SN_MCP_MAX_ACTIVE_TOKENS",
      `the account already has ${activeTokens} active tokens, the most the operator allows (${rules.maxActiveTokens}). Disable or delete one first, or the operator can raise SN_MCP_MAX_ACTIVE_TOKENS.`,
    );
  }
}

function checkUserTokenPaths(type: TokenType, apiPaths: readonly string[] | undefined, rules: Guardrails): void {
  if (type === "User" && !restrictsApiPaths(apiPaths) && !rules.allowUnrestrictedUserTokens) {
    throw new RefusedError(
      "SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS",
      "a User token without an apiPaths restriction (or with a pattern such as /** that allows every path) can do anything the account can. Give narrow apiPaths (e.g. [\"/datum/**\"]), or the operator can set SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS=true.",
    );
  }
}

function withLifetime(policy: Policy, rules: Guardrails, now: number, action: "create" | "update"): Policy {
  const notAfter = boundedExpiry(policy.notAfter, rules, now, action);
  return notAfter === policy.notAfter ? policy : { ...policy, notAfter };
}

/**
 * Re-enabling a token under SN_MCP_MAX_LIFETIME: a token that would otherwise live past the cap
 * (never expiring, or expiring later) gets the cap as its expiry. Undefined when nothing is capped.
 */
export function capExpiryOnEnable(
  current: Token,
  policy: Policy | undefined,
  mode: PolicyUpdateMode,
  rules: Guardrails,
  now: number,
): { policy: Policy; warning: string } | undefined {
  if (rules.maxLifetimeMs === undefined) return undefined;
  const latest = now + rules.maxLifetimeMs;
  const currentExpiry = current.policy?.notAfter === undefined ? undefined : Date.parse(current.policy.notAfter);
  const expiry = policy?.notAfter ?? (mode === "merge" ? currentExpiry : undefined);
  if (expiry !== undefined && expiry <= latest) return undefined;
  return {
    policy: { ...(policy ?? {}), notAfter: latest },
    warning: `Re-enabled under the operator's SN_MCP_MAX_LIFETIME: the token's expiry is now ${new Date(latest).toISOString()}.`,
  };
}
