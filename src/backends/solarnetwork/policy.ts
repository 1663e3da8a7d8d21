import { grantsEveryPath } from "./ant-path.js";
import { RESTRICTION_FIELDS, type Policy, type Token, type TokenType } from "./model.js";

/** Building a wire policy from tool input, and the warnings a policy deserves. */

export type PolicyInput = Omit<Policy, "notAfter">;

const POLICY_KEYS = [...RESTRICTION_FIELDS, "refreshAllowed"] as const;

/** The policy fields given in `input`, plus `notAfter`; empty lists are never sent (SolarNetwork mis-reads them). */
export function policyFromInput(input: PolicyInput, notAfter: number | undefined): Policy {
  const policy: Policy = {};
  for (const key of POLICY_KEYS) {
    const value = input[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    (policy as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
  }
  if (policy.nodeIds) policy.nodeIds.sort((a, b) => a - b);
  if (notAfter !== undefined) policy.notAfter = notAfter;
  return policy;
}

export function hasPolicyFields(input: PolicyInput): boolean {
  return POLICY_KEYS.some((key) => input[key] !== undefined);
}

/** Plain-language warnings about risky choices in a token as it now stands. */
export function riskWarnings(type: TokenType, policy: Token["policy"]): string[] {
  const warnings: string[] = [];
  if (!policy?.notAfter) {
    warnings.push("The token never expires. Consider an expiry (expiresIn such as 90D, or expirationDate).");
  }
  if (type === "User" && !restrictsApiPaths(policy?.apiPaths)) {
    warnings.push(
      "This User token has no apiPaths restriction (or one that allows every path): it can do anything the account can, including managing tokens.",
    );
  }
  if (type === "ReadNodeData" && !policy?.nodeIds?.length) {
    warnings.push("This data token is not limited to nodeIds: it can read data of every node in the account.");
  }
  return warnings;
}

/** Whether `apiPaths` narrows a User token at all: some allow pattern, none of which grants every path. */
export function restrictsApiPaths(apiPaths: readonly string[] | undefined): boolean {
  const allows = (apiPaths ?? []).filter((path) => !path.startsWith("!"));
  return allows.length > 0 && !grantsEveryPath(allows);
}
