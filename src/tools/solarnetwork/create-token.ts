import { z } from "zod";
import { withMarker } from "../../core/provenance.js";
import { applyCreateRules, enforceActiveTokenCap } from "../../backends/solarnetwork/rules.js";
import { sanitizeToken } from "../../safety/sanitize.js";
import { isSolarNetworkError } from "../../backends/solarnetwork/errors.js";
import { buildPolicy, wirePolicy } from "../../backends/solarnetwork/effective-policy.js";
import { tokenSchema, type Policy, type TokenType } from "../../backends/solarnetwork/model.js";
import { riskWarnings } from "../../backends/solarnetwork/policy.js";
import { errorText, ToolError } from "../../core/errors.js";
import { displayModeField, expiryFields, infoFields, policyFields, tokenTypeField } from "../fields.js";
import { expiryWarnings, requestedPolicy } from "../policy-input.js";
import { mintProvenance, refuseForgedMarker, repeatedCreate, requestKeyField } from "../provenance-input.js";
import { resultText } from "../text.js";
import { defineTool, type SolarNetworkToolContext as ToolContext } from "./tool.js";

const SHOWN_ONCE =
  "The secret is shown only now: SolarNetwork will never show it again. Copy it to a safe place, and do not repeat it in later messages.";

export const createToken = defineTool({
  name: "create_token",
  title: "Create a security token",
  description:
    "Create a SolarNetwork security token, optionally with a security policy and an expiry. Returns the token and, " +
    "once only, its secret (or the path of a file holding it). Prefer the narrowest policy and an expiry.",
  input: z.strictObject({
    type: tokenTypeField,
    ...infoFields,
    requestKey: requestKeyField,
    ...policyFields,
    ...expiryFields,
    displayMode: displayModeField,
  }),
  output: z.object({
    token: tokenSchema,
    secret: z.string().optional().describe("The new token's secret; present only in this one result"),
    secretFile: z.string().optional().describe("Path of the 0600 file holding the secret (file delivery)"),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(input, context) {
    const { tokens, delivery, now, signal, log, protectSecret, guardrails, confirm, exclusive } = context;
    refuseForgedMarker("description", input.description);
    const policy = applyCreateRules(input.type, requestedPolicy(input, now()), guardrails, now());
    /** A repeated requestKey answers with the first token: checked before asking, and again in the exclusive section. */
    const reuse = async () => {
      const repeat = await repeatedCreate(input.requestKey, context, (id) => tokens.get(id, signal));
      if (!repeat) return undefined;
      const structured = { token: sanitizeToken(repeat.token), warnings: [repeat.warning] };
      return { structured, text: resultText(structured, input.displayMode, [structured.token], structured.warnings) };
    };
    const repeated = await reuse();
    if (repeated) return repeated;
    await delivery.prepare();
    const risks = [
      ...(input.type === "User" ? ["a User token acts as the whole account within its apiPaths"] : []),
      ...(policy.notAfter === undefined ? ["it never expires"] : []),
    ];
    if (risks.length > 0) await confirm(`Create a SolarNetwork ${input.type} security token? ${capitalise(risks.join("; and "))}.`);
    const created = await exclusive(async () => {
      const repeat = await reuse();
      if (repeat) return repeat;
      await enforceActiveTokenCap(tokens, guardrails, signal);
      const sentAt = now();
      try {
        return await tokens.create(input.type, policy, signal);
      } catch (error) {
        if (!isSolarNetworkError(error) || !error.details.mayHaveApplied) throw error;
        return await removeOrphan(input.type, policy, sentAt, error, { tokens, log });
      }
    });
    if (!("secret" in created)) return created;
    protectSecret(created.secret);
    let token = created.token;
    const warnings: string[] = expiryWarnings(input);

    // Generate takes no name: like s10k, a second call sets it. Its failure must not lose the secret.
    const info = { name: input.name || `user${token.userId}_api_token`, description: withMarker(input.description, mintProvenance(input.requestKey, context)) };
    try {
      await tokens.setInfo(token.id, info, signal);
      token = { ...token, name: info.name, description: info.description };
    } catch (error) {
      log.warn("setting the new token's name failed", { tokenId: token.id, error: errorText(error) });
      warnings.push(
        `The token was created, but setting its name and description failed (${errorText(error)}), so it also lacks the [ai …] marker that shows an assistant minted it. Use update_token to set them.`,
      );
    }

    // Cancelled while the create was in flight (the client gave up, the connection closed): no one
    // will read this result, so the secret would be lost with a live token.
    if (signal.aborted) return await discardUndeliverable(token.id, "cancelled", signal.reason, { tokens, log });
    let delivered;
    try {
      const lines = [["SN_TOKEN", token.id], ["SN_TOKEN_SECRET", created.secret]] as const;
      delivered = await delivery.deliver({ tokenId: token.id, filePrefix: "sn-token", lines }, created.secret);
    } catch (error) {
      return await discardUndeliverable(token.id, "unwritable", error, { tokens, log });
    }
    warnings.push(...riskWarnings(token.type, token.policy));
    if ("secret" in delivered) warnings.unshift(SHOWN_ONCE);
    const structured = { token: sanitizeToken(token), ...delivered, warnings };
    const secret = "secret" in delivered ? delivered.secret : undefined;
    const notes = "secretFile" in delivered ? [`Secret written to ${delivered.secretFile}`, ...warnings] : warnings;
    return { structured, text: resultText(structured, input.displayMode, [structured.token], notes, secret), reveal: secret };
  },
});

/** SolarNetwork's clock and ours may differ by this much when judging "created after the call was sent". */
const CLOCK_TOLERANCE_MS = 5 * 60_000;

/**
 * A create with no usable reply may have made a token whose secret no one has. It has no name yet
 * (naming is a second call): find it by type, policy and creation time, and delete it again, or
 * name it plainly. Never "try again": that could leave two tokens.
 */
async function removeOrphan(
  type: TokenType,
  policy: Policy,
  sentAt: number,
  cause: unknown,
  { tokens, log }: Pick<ToolContext, "tokens" | "log">,
): Promise<never> {
  const sent = JSON.stringify(buildPolicy(policy));
  let orphans;
  try {
    orphans = (await tokens.list({ type })).filter(
      (token) =>
        token.name === undefined &&
        Date.parse(token.created) >= sentAt - CLOCK_TOLERANCE_MS &&
        JSON.stringify(buildPolicy(wirePolicy(token.policy))) === sent,
    );
  } catch {
    throw new ToolError(
      `No usable reply came to the create (${errorText(cause)}), and listing tokens to check failed too. SolarNetwork may have made an unnamed ${type} token whose secret no one has: find it with list_tokens and delete it before creating another.`,
    );
  }
  if (orphans.length === 0) {
    throw new ToolError(`No usable reply came to the create, and SolarNetwork holds no new token from it: nothing was created. It is safe to create the token again.`);
  }
  const kept: string[] = [];
  for (const orphan of orphans) {
    try {
      await tokens.delete(orphan.id);
      log.warn("deleted a token whose create got no usable reply", { tokenId: orphan.id });
    } catch {
      kept.push(orphan.id);
    }
  }
  if (kept.length > 0) {
    throw new ToolError(
      `No usable reply came to the create, but SolarNetwork made token ${kept.join(", ")}, whose secret no one has, and deleting it failed. Delete ${kept.join(", ")} with delete_token before creating another.`,
    );
  }
  throw new ToolError(
    `No usable reply came to the create; SolarNetwork had made token ${orphans.map((token) => token.id).join(", ")}, whose secret no one received, so it was deleted again. Nothing is left behind: create the token again.`,
  );
}

const DISCARDED = {
  unwritable: {
    log: "writing the new token's secret file failed",
    deleted: (id: string) =>
      `The secret could not be written to the secret directory, so the new token ${id} was deleted again. The operator should check SN_MCP_SECRET_DIR.`,
    kept: (id: string) =>
      `The token ${id} was created but its secret could not be written to the secret directory, and deleting it failed. Delete token ${id} with delete_token.`,
  },
  cancelled: {
    log: "create_token was cancelled after SolarNetwork created the token",
    deleted: (id: string) => `The call was cancelled, so the new token ${id}, whose secret no one received, was deleted again.`,
    kept: (id: string) =>
      `The call was cancelled after token ${id} was created, and deleting it failed: its secret was never shown. Delete token ${id} with delete_token.`,
  },
};

/**
 * A token whose secret cannot be delivered is useless and a risk: delete it, and say so. Not
 * cancellable: the cleanup must run even when the call it belongs to was cancelled.
 */
async function discardUndeliverable(
  tokenId: string,
  why: keyof typeof DISCARDED,
  cause: unknown,
  { tokens, log }: Pick<ToolContext, "tokens" | "log">,
): Promise<never> {
  const text = DISCARDED[why];
  log.error(text.log, { tokenId, error: String(cause) });
  try {
    await tokens.delete(tokenId);
  } catch {
    throw new ToolError(text.kept(tokenId));
  }
  throw new ToolError(text.deleted(tokenId));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
