import { z } from "zod";
import { renderVastTokens } from "../../backends/vast/render.js";
import { vastTokenSchema, type VastToken } from "../../backends/vast/tokens.js";
import { mayHaveApplied, RefusedError, ToolError } from "../../core/errors.js";
import { boundedExpiry } from "../../safety/guardrails.js";
import { displayModeField, expiryFields } from "../fields.js";
import { expiryWarnings, resolvedExpiry } from "../policy-input.js";
import { mintProvenance, refuseForgedMarker, repeatedCreate, requestKeyField } from "../provenance-input.js";
import { durationFor } from "./expiry.js";
import { markedName } from "./naming.js";
import { ownerField, vastNameField } from "./fields.js";
import { sanitizeVastToken } from "./list-tokens.js";
import { defineTool, type VastToolContext } from "./tool.js";

const SHOWN_ONCE =
  "The token (ID.SECRET) is shown only now: VMS will never show it again. Copy it to a safe place, and do not repeat it in later messages.";

export const createVastToken = defineTool({
  name: "create_token",
  title: "Create an API token",
  description:
    "Create a VAST VMS API token. It carries all of its owner's VMS permissions (no scope of its own), so prefer a " +
    "dedicated low-privilege owner and an expiry. Returns the token and, once only, the whole ID.SECRET credential.",
  input: z.strictObject({
    name: vastNameField.optional().describe("The token's name; default <owner>_api_token"),
    owner: ownerField.optional(),
    requestKey: requestKeyField,
    ...expiryFields,
    displayMode: displayModeField,
  }),
  output: z.object({
    token: vastTokenSchema,
    secret: z.string().optional().describe("The whole credential ID.SECRET; present only in this one result"),
    secretFile: z.string().optional().describe("Path of the 0600 file holding the credential (file delivery)"),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(input, context) {
    const { tokens, signal, guardrails, now, confirm, delivery, protectSecret, exclusive } = context;
    refuseForgedMarker("name", input.name);
    const resolvedAt = now();
    const expiry = boundedExpiry(resolvedExpiry(input, resolvedAt), guardrails, resolvedAt, "create");
    const warnings = expiryWarnings(input);
    const ownUser = await tokens.ownUser(signal);
    const owner = input.owner ?? ownUser;
    if (owner !== ownUser && !tokens.allowedOwners.includes(owner)) {
      throw new RefusedError(
        "VAST_ALLOWED_OWNERS",
        `tokens may be created here only for ${[ownUser, ...tokens.allowedOwners].join(", ")}, not for «${owner}». The operator can add the owner to VAST_ALLOWED_OWNERS.`,
      );
    }
    await delivery.prepare();
    if (owner !== ownUser) {
      await confirm(
        `Create a VAST VMS API token for the user «${owner}» (not this server's own user ${ownUser})? It can do everything ${owner} can do in VMS.`,
      );
    }
    const name = markedName(input.name ?? `${owner}_api_token`, mintProvenance(input.requestKey, context), warnings);
    /** A repeated requestKey answers with the first token: checked before asking, and again in the exclusive section. */
    const reuse = async () => {
      const repeat = await repeatedCreate(input.requestKey, context, (id) => tokens.get(id, signal));
      if (!repeat) return undefined;
      const structured = { token: sanitizeVastToken(repeat.token), warnings: [repeat.warning] };
      const text = !input.displayMode || input.displayMode === "json" ? JSON.stringify(structured) : [renderVastTokens([structured.token], input.displayMode), ...structured.warnings].join("\n");
      return { structured, text };
    };
    const repeated = await reuse();
    if (repeated) return repeated;

    const minted = await exclusive(async () => {
      const repeat = await reuse();
      if (repeat) return repeat;
      const before = await tokens.list({ owner, includeRevoked: false }, signal);
      await refuseOverCap(owner, before, context);
      const sentAt = now();
      // "30D" means 30 days from the token's creation, as VMS counts it; a date is a date.
      const from = input.expiresIn !== undefined ? resolvedAt : sentAt;
      const duration = expiry === undefined ? undefined : durationFor(expiry, from, await tokens.maxLifetimeMs(signal), input);
      const created = await createOrRevokeOrphan({ name, owner: input.owner, expiry: duration }, owner, before, context);
      return { created, sentAt, slackMs: now() - from };
    });
    if (!("created" in minted)) return minted;
    const { created, sentAt, slackMs } = minted;
    protectSecret(created.secret);
    protectSecret(created.secret.slice(created.secret.indexOf(".") + 1));

    let token = await readBack(created.id, context);
    if (token) token = await keepWithin(token, expiry, slackMs, context, warnings);
    else warnings.push("The token was created, but reading it back failed: list_tokens shows its details.");
    const shown = sanitizeVastToken(token ?? { id: created.id, name, owner, created: new Date(sentAt).toISOString(), status: "Active" });

    // Cancelled while the create was in flight: no one will read this result, so the credential would be lost.
    if (signal.aborted) return await discard(created.id, "The call was cancelled", context);
    let delivered;
    try {
      const lines = [["VAST_API_TOKEN", created.secret]] as const;
      delivered = await delivery.deliver({ tokenId: created.id, filePrefix: "vast-token", lines }, created.secret);
    } catch {
      return await discard(created.id, "The credential could not be written to the secret directory (the operator should check SN_MCP_SECRET_DIR)", context);
    }
    if (token && token.expires === undefined) {
      warnings.push("The token never expires (this cluster's password expiration is off). Consider an expiry, e.g. expiresIn 90D, with update_token.");
    }
    if ("secret" in delivered) warnings.unshift(SHOWN_ONCE);
    const structured = { token: shown, ...delivered, warnings };
    const secret = "secret" in delivered ? delivered.secret : undefined;
    const notes = "secretFile" in delivered ? [`Credential written to ${delivered.secretFile}`, ...warnings] : warnings;
    const text =
      !input.displayMode || input.displayMode === "json"
        ? JSON.stringify(structured)
        : [renderVastTokens([shown], input.displayMode, secret), ...notes].join("\n");
    return { structured, text, reveal: secret };
  },
});

/** VMS allows each user a few valid tokens (default 5, the server's own among them): refuse before asking VMS. */
async function refuseOverCap(owner: string, ownersTokens: readonly VastToken[], { tokens, signal, guardrails, ownTokenId }: VastToolContext) {
  const valid = ownersTokens.filter((token) => token.status === "Active");
  const cap = await tokens.maxTokensPerUser(signal);
  if (valid.length >= cap) {
    const own = valid.some((token) => token.id === ownTokenId) ? " (this server's own token is one of them)" : "";
    throw new ToolError(
      `Owner ${owner} already has ${valid.length} of ${cap} valid tokens${own}, the most VMS allows per user; revoke one with revoke_token first. Nothing was created.`,
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
 * A create whose reply was lost may have made a token whose secret no one has: find it (same name
 * and owner, absent before the call) and revoke it, so the failure leaves nothing behind. Never
 * "try again" while that is unknown: it could leave two tokens.
 */
async function createOrRevokeOrphan(
  request: { name: string; owner?: string; expiry?: string },
  owner: string,
  before: readonly VastToken[],
  { tokens, signal, log }: VastToolContext,
): Promise<{ id: string; secret: string }> {
  try {
    return await tokens.create(request, signal);
  } catch (error) {
    if (!mayHaveApplied(error)) throw error;
    let orphans: VastToken[];
    try {
      const known = new Set(before.map((token) => token.id));
      orphans = (await tokens.list({ owner, includeRevoked: false })).filter((token) => !known.has(token.id) && token.name === request.name);
    } catch {
      throw new ToolError(
        `No usable reply came to the create, so VMS may have made the token; listing to check failed too. Call list_tokens and revoke any new token named «${request.name}» (its secret was never shown) before creating another.`,
      );
    }
    if (orphans.length === 0) {
      throw new ToolError("No usable reply came to the create, and VMS holds no new token of that name: nothing was created. It is safe to create it again.");
    }
    const kept: string[] = [];
    for (const orphan of orphans) {
      try {
        await tokens.revoke(orphan.id);
        log.warn("revoked a token whose create got no usable reply", { tokenId: orphan.id });
      } catch {
        kept.push(orphan.id);
      }
    }
    if (kept.length > 0) {
      throw new ToolError(
        `No usable reply came to the create, but VMS made token ${kept.join(", ")}, whose secret was never shown, and revoking it failed. Revoke ${kept.join(", ")} with revoke_token.`,
      );
    }
    throw new ToolError(
      `No usable reply came to the create; VMS had made token ${orphans.map((token) => token.id).join(", ")}, whose secret no one received, so it was revoked again. Nothing is left behind: create the token again.`,
    );
  }
}

async function readBack(tokenId: string, { tokens, signal }: VastToolContext): Promise<VastToken | undefined> {
  try {
    return await tokens.get(tokenId, signal);
  } catch {
    return undefined;
  }
}

/**
 * VMS counts the expiry from its own creation time, which lies within `slackMs` of when the
 * expiry was computed when the clocks agree. Beyond that (VMS's clock ahead of ours) the token
 * would outlive what was asked: set the exact duration from VMS's `created`.
 */
async function keepWithin(
  token: VastToken,
  expiry: number | undefined,
  slackMs: number,
  { tokens, signal }: VastToolContext,
  warnings: string[],
): Promise<VastToken> {
  if (expiry === undefined || (token.expires !== undefined && Date.parse(token.expires) <= expiry + slackMs + 1_000)) return token;
  try {
    await tokens.modify(token.id, { expiry: durationFor(expiry, Date.parse(token.created), undefined, {}) }, signal);
    return (await tokens.get(token.id, signal)) ?? token;
  } catch {
    warnings.push(`VMS set the expiry to ${token.expires ?? "never"}, later than asked (${new Date(expiry).toISOString()}), and correcting it failed: set it with update_token.`);
    return token;
  }
}

/** Not cancellable: the cleanup must run even when the call it belongs to was cancelled. */
async function discard(tokenId: string, why: string, { tokens, log }: VastToolContext): Promise<never> {
  log.error("revoking a new token whose credential cannot be delivered", { tokenId, why });
  try {
    await tokens.revoke(tokenId);
  } catch {
    throw new ToolError(`${why} after token ${tokenId} was created, and revoking it failed: its credential was never shown. Revoke ${tokenId} with revoke_token.`);
  }
  throw new ToolError(`${why}, so the new token ${tokenId}, whose credential no one received, was revoked again.`);
}
