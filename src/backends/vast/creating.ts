import { existingTokenNamed, mayHaveApplied, RefusedError, ToolError } from "../../core/errors.js";
import { isVastError, type VastError } from "./errors.js";
import { resolveLostCreate } from "../../core/lost-create.js";
import { readProvenance, type Provenance } from "../../core/provenance.js";
import type { Logger } from "../../log.js";
import type { Guardrails } from "../../safety/guardrails.js";
import { durationFor } from "./duration.js";
import { markedName } from "./naming.js";
import type { VastToken, VastTokens } from "./tokens.js";

/** A VMS create as decided before anything is sent. */
export interface VastCreatePlan {
  /** The name to send, provenance marker included. */
  name: string;
  /** This create's own nonce, in the name's marker: a lost reply's token is found by it. */
  nonce: string | undefined;
  owner: string;
  /** Whether the token is for another user than the server's own: a person must allow it. */
  forAnotherOwner: boolean;
  warnings: string[];
}

/**
 * Plans a create: the owner checked against VAST_ALLOWED_OWNERS, the default name
 * `<owner>_api_token`, the marker fitted into VMS's 50 characters. Pure: sends nothing.
 */
export function planVastCreate(
  request: { name?: string; owner?: string },
  ownUser: string,
  allowedOwners: readonly string[],
  provenance: Provenance,
): VastCreatePlan {
  const owner = request.owner ?? ownUser;
  if (owner !== ownUser && !allowedOwners.includes(owner)) {
    throw new RefusedError(
      "VAST_ALLOWED_OWNERS",
      `tokens may be created here only for ${[ownUser, ...allowedOwners].join(", ")}, not for «${owner}». The operator can add the owner to VAST_ALLOWED_OWNERS.`,
    );
  }
  const warnings: string[] = [];
  const name = markedName(request.name ?? `${owner}_api_token`, provenance, warnings);
  return { name, nonce: provenance.nonce, owner, forAnotherOwner: owner !== ownUser, warnings };
}

export interface VastMintDeps {
  tokens: VastTokens;
  guardrails: Guardrails;
  ownTokenId: string | undefined;
  log: Logger;
  now(): number;
  signal: AbortSignal;
}

export interface VastExpiryRequest {
  /** The latest the token may live, epoch ms; undefined: never expires. */
  expiry: number | undefined;
  /** When a relative expiry was resolved: "30D" means 30 days from the token's creation, as VMS counts it. */
  resolvedAt: number;
  expiresIn?: string;
}

export interface VastMinted {
  id: string;
  secret: string;
  /** The token as read back; undefined when that read failed (the secret still has to reach the person). */
  token: VastToken | undefined;
  sentAt: number;
  warnings: string[];
}

/**
 * Mints a planned token: VMS's per-user cap and the operator's cap checked first, the expiry
 * converted to VMS's duration from creation, a lost reply resolved (its orphan revoked) rather
 * than retried, then the token read back and its expiry corrected when VMS's clock put it later.
 */
export async function mintVastToken(plan: VastCreatePlan, expiry: VastExpiryRequest, deps: VastMintDeps): Promise<VastMinted> {
  const { tokens, now, signal } = deps;
  const before = await tokens.list({ owner: plan.owner, includeRevoked: false }, signal);
  await refuseOverCaps(plan.owner, before, deps);
  const sentAt = now();
  const from = expiry.expiresIn !== undefined ? expiry.resolvedAt : sentAt;
  const duration = expiry.expiry === undefined ? undefined : durationFor(expiry.expiry, from, await tokens.maxLifetimeMs(signal), expiry);
  // The credential's own user is VMS's default owner: named only when it is another.
  const request = { name: plan.name, owner: plan.forAnotherOwner ? plan.owner : undefined, expiry: duration };
  const created = await createOrRevokeOrphan(request, plan, before, deps);
  if (before.some((token) => token.id === created.id) || created.id === deps.ownTokenId) throw existingTokenNamed("VMS", created.id);
  const warnings: string[] = [];
  let token = await readBack(created.id, deps);
  if (token) token = await keepWithin(token, expiry.expiry, now() - from, deps, warnings);
  else warnings.push("The token was created, but reading it back failed: list_tokens shows its details.");
  if (token && token.expires === undefined) {
    warnings.push("The token never expires (this cluster's password expiration is off). Consider an expiry, e.g. expiresIn 90D, with update_token.");
  }
  return { ...created, token, sentAt, warnings };
}

/**
 * VMS allows each user a few valid tokens (default 5, the server's own among them), and the operator
 * may cap them all: checked before any token becomes valid, by a create or by reviving an expired one.
 */
export async function refuseOverCaps(
  owner: string,
  ownersTokens: readonly VastToken[],
  { tokens, signal, guardrails, ownTokenId }: Pick<VastMintDeps, "tokens" | "signal" | "guardrails" | "ownTokenId">,
): Promise<void> {
  const valid = ownersTokens.filter((token) => token.status === "Active");
  const cap = await tokens.maxTokensPerUser(signal);
  if (valid.length >= cap) {
    const own = valid.some((token) => token.id === ownTokenId) ? " (this server's own token is one of them)" : "";
    throw new ToolError(
      `Owner ${owner} already has ${valid.length} of ${cap} valid tokens${own}, the most VMS allows per user; revoke one with revoke_token first. Nothing was sent to VMS.`,
    );
  }
  if (guardrails.maxActiveTokens === undefined) return;
  const active = (await tokens.list({ includeRevoked: false }, signal)).filter((token) => token.status === "Active").length;
  if (active >= guardrails.maxActiveTokens) {
    throw new RefusedError(
      "SN_MCP_MAX_ACTIVE_TOKENS",
      `there are already ${active} valid tokens, the most the operator allows (${guardrails.maxActiveTokens}). Revoke one first, or the operator can raise SN_MCP_MAX_ACTIVE_TOKENS.`,
    );
  }
}

/**
 * A create whose reply was lost may have made a token whose secret no one has: find it (the owner's,
 * absent before the call, its name carrying this create's nonce) and revoke it, so the failure
 * leaves nothing behind. Another client's token of the same name is never taken for it.
 */
async function createOrRevokeOrphan(
  request: { name: string; owner?: string; expiry?: string },
  { owner, nonce }: VastCreatePlan,
  before: readonly VastToken[],
  { tokens, signal, log }: VastMintDeps,
): Promise<{ id: string; secret: string }> {
  try {
    return await tokens.create(request, signal);
  } catch (error) {
    if (request.owner !== undefined && isVastError(error, "validation")) throw ownerRefusal(request.owner, error);
    if (!mayHaveApplied(error)) throw error;
    const known = new Set(before.map((token) => token.id));
    return await resolveLostCreate({
      system: "VMS",
      async findOrphans() {
        const listing = await tokens.listing({ owner, includeRevoked: false });
        const orphans = listing.tokens.filter((token) => !known.has(token.id) && isFrom(token, request.name, nonce)).map((token) => token.id);
        const unread = listing.unreadable.filter((id) => !known.has(id));
        // VMS shows a manager without the View right only their own tokens: another owner's list may look empty.
        const hidden = request.owner !== undefined && before.length === 0 && listing.tokens.length === 0;
        const mayMiss = unread.length > 0 ? `it lists new tokens it sent in a form this server cannot read (${unread.join(", ")})` : hidden ? "it may not show this server that owner's tokens" : undefined;
        return { orphans, mayMiss };
      },
      unsearchable: `VMS may have made the token: call list_tokens and revoke any new token named «${request.name}» (its secret was never shown) before creating another.`,
      end: { verb: "revoke", tool: "revoke_token", run: (id) => tokens.revoke(id) },
      log,
    });
  }
}

/** VMS refused a create for another owner: when its reply names the owner field, VMS does not know that user. */
function ownerRefusal(owner: string, error: VastError): ToolError {
  if (error.details.fields?.includes("owner")) {
    return new ToolError(`VMS refused the create: it knows no user «${owner}» to own the token (owner takes a VMS manager's user name). Nothing was created.`);
  }
  return new ToolError(`VMS rejected the create's arguments: the name, the expiry, or the owner «${owner}», which VMS may not know. Nothing was created.`);
}

/** Whether `token` is the one a create sent as `name` made: by its nonce, or by its whole name when the create had none. */
function isFrom(token: VastToken, name: string, nonce: string | undefined): boolean {
  return nonce === undefined ? token.name === name : readProvenance(token.name)?.nonce === nonce;
}

async function readBack(tokenId: string, { tokens, signal }: VastMintDeps): Promise<VastToken | undefined> {
  try {
    return await tokens.get(tokenId, signal);
  } catch {
    return undefined;
  }
}

/**
 * VMS counts the expiry from its own creation time, which lies within `slackMs` of when the
 * expiry was computed when the clocks agree. Beyond that (VMS's clock ahead of ours) the token
 * would outlive what was asked: set the exact duration from VMS's `created`. Earlier than asked
 * (whole seconds aside) is safe, but said: VMS capped it, or its clock is behind ours.
 */
async function keepWithin(
  token: VastToken,
  expiry: number | undefined,
  slackMs: number,
  { tokens, signal }: VastMintDeps,
  warnings: string[],
): Promise<VastToken> {
  if (expiry === undefined) return token;
  if (token.expires !== undefined && Date.parse(token.expires) < expiry - 1_000) {
    warnings.push(`VMS set the expiry to ${token.expires}, earlier than asked (${new Date(expiry).toISOString()}): the cluster capped it, or its clock is behind this server's.`);
    return token;
  }
  if (token.expires !== undefined && Date.parse(token.expires) <= expiry + slackMs + 1_000) return token;
  try {
    await tokens.modify(token.id, { expiry: durationFor(expiry, Date.parse(token.created), undefined, {}) }, signal);
    return (await tokens.get(token.id, signal)) ?? token;
  } catch {
    warnings.push(`VMS set the expiry to ${token.expires ?? "never"}, later than asked (${new Date(expiry).toISOString()}), and correcting it failed: set it with update_token.`);
    return token;
  }
}
