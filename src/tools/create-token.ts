import { z } from "zod";
import { applyCreateRules, enforceActiveTokenCap } from "../safety/guardrails.js";
import { sanitizeToken } from "../safety/sanitize.js";
import { tokenSchema } from "../tokens/model.js";
import { riskWarnings } from "../tokens/policy.js";
import { errorText, ToolError } from "./errors.js";
import { displayModeField, expiryFields, infoFields, policyFields, tokenTypeField } from "./fields.js";
import { requestedPolicy } from "./policy-input.js";
import { resultText } from "./text.js";
import { defineTool, type ToolContext } from "./tool.js";

const SHOWN_ONCE =
  "The secret is shown only now: SolarNetwork will never show it again. Copy it to a safe place, and do not repeat it in later messages.";

export const createToken = defineTool({
  name: "create_token",
  title: "Create a security token",
  description:
    "Create a SolarNetwork security token, optionally restricted by a security policy (nodes, sources, API paths, " +
    "metadata paths, aggregation, location precision) and with an expiry. Returns the token and, once only, its secret " +
    "(or the path of a file holding it). Prefer the narrowest policy and an expiry.",
  input: z.strictObject({
    type: tokenTypeField,
    ...infoFields,
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
  async run(input, { tokens, delivery, now, signal, log, protectSecret, guardrails }) {
    const policy = applyCreateRules(input.type, requestedPolicy(input, now()), guardrails, now());
    await delivery.prepare();
    await enforceActiveTokenCap(tokens, guardrails, signal);
    const created = await tokens.create(input.type, policy, signal);
    protectSecret(created.secret);
    let token = created.token;
    const warnings: string[] = [];

    // Generate takes no name: like s10k, a second call sets it. Its failure must not lose the secret.
    const info = { name: input.name || `user${token.userId}_api_token`, description: input.description };
    try {
      await tokens.setInfo(token.id, info, signal);
      token = { ...token, name: info.name, ...(info.description ? { description: info.description } : {}) };
    } catch (error) {
      log.warn("setting the new token's name failed", { tokenId: token.id, error: errorText(error) });
      warnings.push(
        `The token was created, but setting its name and description failed (${errorText(error)}) Use update_token to set them.`,
      );
    }

    let delivered;
    try {
      delivered = await delivery.deliver(token, created.secret);
    } catch (error) {
      return await discardUndeliverable(token.id, error, { tokens, signal, log });
    }
    warnings.push(...riskWarnings(token.type, token.policy));
    if ("secret" in delivered) warnings.unshift(SHOWN_ONCE);
    const structured = { token: sanitizeToken(token), ...delivered, warnings };
    const secret = "secret" in delivered ? delivered.secret : undefined;
    const notes = "secretFile" in delivered ? [`Secret written to ${delivered.secretFile}`, ...warnings] : warnings;
    return { structured, text: resultText(structured, input.displayMode, [structured.token], notes, secret), reveal: secret };
  },
});

/** A token whose secret cannot be delivered is useless and a risk: delete it, and say so. */
async function discardUndeliverable(
  tokenId: string,
  cause: unknown,
  { tokens, signal, log }: Pick<ToolContext, "tokens" | "signal" | "log">,
): Promise<never> {
  log.error("writing the new token's secret file failed", { tokenId, error: String(cause) });
  try {
    await tokens.delete(tokenId, signal);
  } catch {
    throw new ToolError(
      `The token ${tokenId} was created but its secret could not be written to the secret directory, and deleting it failed. Delete token ${tokenId} with delete_token.`,
    );
  }
  throw new ToolError(
    `The secret could not be written to the secret directory, so the new token ${tokenId} was deleted again. The operator should check SN_MCP_SECRET_DIR.`,
  );
}
