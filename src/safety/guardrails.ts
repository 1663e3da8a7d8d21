import { RefusedError } from "../core/errors.js";

/**
 * Operator limits on what an assistant may mint or widen. Each is off unless the operator sets it;
 * a refusal names the rule and the setting that changes it.
 */

export interface Guardrails {
  /** Longest lifetime a token may be given; creates without an expiry get exactly this. */
  maxLifetimeMs?: number;
  /** Most Active, unexpired tokens the account may hold (the server's own included). */
  maxActiveTokens?: number;
  /** Whether a User token may exist without an `apiPaths` restriction. */
  allowUnrestrictedUserTokens: boolean;
  /** Token types that may be created, in the backend's words (it checked them); undefined for all. */
  allowedTokenTypes?: readonly string[];
  /** What happens to a change needing confirmation when the client cannot ask the person. */
  withoutElicitation: "proceed" | "refuse";
}

export const NO_GUARDRAILS: Guardrails = { allowUnrestrictedUserTokens: true, withoutElicitation: "proceed" };

/**
 * An expiry (epoch ms, undefined for none) under SN_MCP_MAX_LIFETIME: a create without one gets the
 * longest lifetime allowed; an update that would leave none, or one later than allowed, is refused.
 */
export function boundedExpiry(expiry: number | undefined, rules: Guardrails, now: number, action: "create" | "update"): number | undefined {
  if (rules.maxLifetimeMs === undefined) return expiry;
  const latest = now + rules.maxLifetimeMs;
  if (expiry === undefined) {
    if (action === "create") return latest;
    throw new RefusedError(
      "SN_MCP_MAX_LIFETIME",
      `replacing the policy without an expiry would make the token never expire; include expiresIn or expirationDate (at most ${new Date(latest).toISOString()}).`,
    );
  }
  if (expiry > latest) {
    throw new RefusedError(
      "SN_MCP_MAX_LIFETIME",
      `the expiry ${new Date(expiry).toISOString()} is later than the longest lifetime allowed (${new Date(latest).toISOString()}). Choose an earlier expiry, or the operator can raise SN_MCP_MAX_LIFETIME.`,
    );
  }
  return expiry;
}

