import { carryMarker } from "../../core/provenance.js";
import { PartialFailureError, ToolError, UserInputError } from "../../core/errors.js";
import type { Exclusive } from "../../safety/exclusive.js";
import type { Guardrails } from "../../safety/guardrails.js";
import { wirePolicy } from "./effective-policy.js";
import type { Policy, Token, TokenStatus } from "./model.js";
import { applyUpdateRules, capExpiryOnEnable, enforceActiveTokenCap } from "./rules.js";
import type { PolicyUpdateMode, TokenInfo, TokenService } from "./service.js";
import { classifyChange } from "./widening.js";

/** SolarNetwork changes a token in up to three calls, in this order. */
export const UPDATE_PARTS = ["info", "policy", "status"] as const;
export type UpdatePart = (typeof UPDATE_PARTS)[number];

/** What a caller asks to change; `policy` holds the policy fields and expiry given, if any. */
export interface UpdateRequest {
  name?: string;
  description?: string;
  status?: TokenStatus;
  policy?: Policy;
  replace: boolean;
}

/** Refuses a request that changes nothing, before the token is even read. */
export function checkUpdateRequest(request: UpdateRequest): void {
  if (request.name === undefined && request.description === undefined && request.status === undefined && request.policy === undefined) {
    throw new UserInputError("arguments", "nothing to change: give a name, description, status, policy field or expiry.");
  }
  if (request.replace && request.policy === undefined) {
    throw new UserInputError("replace", "replace needs the policy fields that make up the new policy.");
  }
}

/** A SolarNetwork update as decided before anything is sent. */
export interface UpdatePlan {
  parts: UpdatePart[];
  info: TokenInfo;
  policy?: Policy;
  mode: PolicyUpdateMode;
  status?: TokenStatus;
  /** The policy the token will have, as SolarNetwork stores it (notAfter in epoch ms). */
  policyAfter: Policy;
  /** Rights the token gains; empty when it gains none. */
  widening: string[];
  warnings: string[];
}

/**
 * Plans an update of `current`: the operator's rules applied, a re-enable capped to the maximum
 * lifetime, the rights it gains named, a policy that would not change dropped. Pure: sends nothing.
 */
export function planUpdate(current: Token, request: UpdateRequest, guardrails: Guardrails, now: number): UpdatePlan {
  checkUpdateRequest(request);
  const mode = request.replace ? "replace" : "merge";
  const requested: Record<UpdatePart, boolean> = {
    info: request.name !== undefined || request.description !== undefined,
    policy: request.policy !== undefined,
    status: request.status !== undefined,
  };
  const parts = UPDATE_PARTS.filter((part) => requested[part]);
  const warnings: string[] = [];
  let policy = request.policy && applyUpdateRules(current, request.policy, mode, guardrails, now);
  const enabling = request.status === "Active" && current.status === "Disabled";
  if (enabling) {
    const capped = capExpiryOnEnable(current, policy, mode, guardrails, now);
    if (capped) {
      policy = capped.policy;
      warnings.push(capped.warning);
      if (!parts.includes("policy")) parts.splice(parts.indexOf("status"), 0, "policy");
    }
  }
  const change = classifyChange(current, { policy, mode });
  if (request.policy) {
    warnings.push(...mergeOnlyAddsWarnings(current, request.policy, mode), ...droppedWarnings(current, request.policy, change.dropped, mode));
  }
  if (policy && change.policyUnchanged) {
    parts.splice(parts.indexOf("policy"), 1);
    if (parts.length === 0) throw new ToolError(`Nothing was changed: the token's policy already is what this call asks for. ${warnings.join(" ")}`.trim());
  }
  // SolarNetwork's /info sets both fields: resend the one not being changed, or it is cleared.
  const info = {
    name: request.name ?? current.name,
    description: request.description === undefined ? current.description : carryMarker(request.description, current.description),
  };
  return { parts, info, policy, mode, status: request.status, policyAfter: change.after, widening: change.widening, warnings };
}

export interface ApplyDeps {
  tokens: TokenService;
  guardrails: Guardrails;
  exclusive: Exclusive;
  signal: AbortSignal;
}

/**
 * Sends a planned update, part by part; a failure after the first part reports exactly what was
 * applied and what was not. Returns the token as read back.
 */
export async function applyUpdate(
  current: Token,
  plan: UpdatePlan,
  entersUsable: boolean,
  { tokens, guardrails, exclusive, signal }: ApplyDeps,
): Promise<{ token: Token; applied: UpdatePart[] }> {
  const steps: Record<UpdatePart, () => Promise<unknown>> = {
    info: () => tokens.setInfo(current.id, plan.info, signal),
    policy: () => tokens.updatePolicy(current.id, plan.policy ?? {}, plan.mode, signal),
    status: () => tokens.setStatus(current.id, plan.status ?? current.status, signal),
  };
  const applied: UpdatePart[] = [];
  const apply = async () => {
    if (entersUsable) await enforceActiveTokenCap(tokens, guardrails, signal);
    for (const part of plan.parts) {
      try {
        await steps[part]();
      } catch (error) {
        if (applied.length === 0) throw error;
        throw new PartialFailureError(applied, plan.parts.slice(applied.length), `Updating the token's ${part}`, error);
      }
      applied.push(part);
    }
  };
  // A token made usable again is checked against the cap and changed with no parallel create or revival in between.
  await (entersUsable ? exclusive(apply) : apply());
  let token;
  try {
    token = await tokens.get(current.id, signal);
  } catch {
    // Reported below: the changes stand either way.
  }
  if (!token) throw new ToolError(`All changes were applied (${applied.join(", ")}), but reading the token back failed. Call list_tokens to see it.`);
  return { token, applied };
}

const LIST_FIELDS = ["nodeIds", "sourceIds", "apiPaths", "nodeMetadataPaths", "userMetadataPaths", "aggregations", "locationPrecisions"] as const;

/** Merge unions lists: naming fewer values than the token has narrows nothing, which the caller may not expect. */
function mergeOnlyAddsWarnings(current: Token, requested: Policy, mode: PolicyUpdateMode): string[] {
  if (mode !== "merge") return [];
  const before = wirePolicy(current.policy);
  const ineffective = LIST_FIELDS.filter((key) => {
    const given = requested[key] as readonly unknown[] | undefined;
    const had = before[key] as readonly unknown[] | undefined;
    return given && had && given.every((value) => had.includes(value)) && had.length > given.length;
  });
  if (ineffective.length === 0) return [];
  return [
    `Merging only adds: ${ineffective.join(", ")} already allowed what this call lists, so nothing was narrowed. To narrow, call update_token with replace: true and the whole new policy.`,
  ];
}

/** A replace keeps only what the call names: say which restrictions (and the expiry) go with it. */
function droppedWarnings(current: Token, requested: Policy, dropped: readonly (keyof Policy)[], mode: PolicyUpdateMode): string[] {
  if (mode !== "replace") return [];
  const unnamed = dropped.filter((key) => requested[key] === undefined);
  if (unnamed.length === 0) return [];
  const shown = unnamed.map((key) => `${key} ${JSON.stringify(current.policy?.[key])}`);
  return [`The policy was replaced, which removed what this call did not name: ${shown.join(", ")}. Give them again with replace: true to keep them.`];
}
