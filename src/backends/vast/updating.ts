import { ToolError } from "../../core/errors.js";
import { durationFor } from "./duration.js";
import { renamed } from "./naming.js";
import type { VastToken, VastTokens } from "./tokens.js";

export type VastUpdatePart = "name" | "expiry";

/** A VMS update as decided before anything is sent: both parts go in one request. */
export interface VastUpdatePlan {
  change: { name?: string; expiry?: string };
  parts: VastUpdatePart[];
  /** The expiry asked for, epoch ms. */
  expiry?: number;
  warnings: string[];
}

/**
 * Plans a rename or re-date of `current`: a new name keeps the provenance marker, an expiry becomes
 * VMS's duration from the token's creation. Pure: sends nothing.
 */
export function planVastUpdate(
  current: VastToken,
  request: { name?: string; expiry?: number; expiresIn?: string },
  maxLifetimeMs: number | undefined,
): VastUpdatePlan {
  if (current.status === "Revoked") throw new ToolError(`Token ${current.id} is revoked, for good; nothing was changed. Create a new one instead.`);
  const warnings: string[] = [];
  const change: { name?: string; expiry?: string } = {};
  if (request.name !== undefined) change.name = renamed(request.name, current.name, warnings);
  if (request.expiry !== undefined) change.expiry = durationFor(request.expiry, Date.parse(current.created), maxLifetimeMs, request);
  const parts = [...(change.name !== undefined ? ["name" as const] : []), ...(change.expiry !== undefined ? ["expiry" as const] : [])];
  return { change, parts, expiry: request.expiry, warnings };
}

/** Sends a planned update and reads the token back; when VMS set another expiry than asked, says so. */
export async function applyVastUpdate(current: VastToken, plan: VastUpdatePlan, tokens: VastTokens, signal: AbortSignal): Promise<{ token: VastToken; warnings: string[] }> {
  await tokens.modify(current.id, plan.change, signal);
  let token;
  try {
    token = await tokens.get(current.id, signal);
  } catch {
    // Reported below: the change stands either way.
  }
  if (!token) throw new ToolError(`The change was applied (${plan.parts.join(", ")}), but reading the token back failed. Call list_tokens to see it.`);
  const warnings: string[] = [];
  // Whole seconds from creation put it up to a second early; anything else is VMS's own doing.
  if (plan.expiry !== undefined && token.expires !== undefined && Math.abs(Date.parse(token.expires) - plan.expiry) > 1_000) {
    warnings.push(`VMS set the expiry to ${token.expires} (it counts whole seconds from the token's creation, and may clamp to the cluster's maximum).`);
  }
  return { token, warnings };
}
