import { z } from "zod";
import { applyUpdate, checkUpdateRequest, planUpdate, UPDATE_PARTS } from "../updating.js";
import { describeToken, sanitizeToken } from "../sanitize.js";
import { tokenSchema } from "../model.js";
import { hasPolicyFields, riskWarnings } from "../policy.js";
import { ToolError } from "../../../core/errors.js";
import { undescribedDisplayModeField, undescribedExpiryFields } from "../../../tools/fields.js";
import { undescribedInfoFields, undescribedPolicyFields, statusField, tokenIdField } from "./fields.js";
import { expiryWarnings } from "../../../tools/expiry-input.js";
import { requestedPolicy } from "./policy-input.js";
import { refuseForgedMarker } from "../../../tools/provenance-input.js";
import { tokensText } from "./text.js";
import { defineTool } from "./tool.js";

export const updateToken = defineTool({
  name: "update_token",
  title: "Update a security token",
  description:
    "Change a SolarNetwork token; fields as in create_token. Policy fields merge (lists add) unless replace is true.",
  withoutCreate: {
    description:
      "Change a SolarNetwork token's name, description, status, security policy or expiry. Policy fields merge into " +
      "the current policy (lists add) unless replace is true.",
  },
  input: z.strictObject({
    tokenId: tokenIdField,
    ...undescribedInfoFields,
    status: statusField.optional(),
    ...undescribedPolicyFields,
    ...undescribedExpiryFields,
    replace: z
      .boolean()
      .default(false)
      .describe("true: the given policy fields replace the whole policy"),
    displayMode: undescribedDisplayModeField,
  }),
  output: z.object({
    token: tokenSchema,
    applied: z.array(z.enum(UPDATE_PARTS)).describe("The parts changed, in the order applied"),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(input, context) {
    const { tokens, now, signal, guardrails, confirm, exclusive } = context;
    const wantsPolicy = hasPolicyFields(input) || [input.expirationDate, input.expiresIn, input.timeZone].some((v) => v !== undefined);
    checkUpdateRequest({ ...input, policy: wantsPolicy ? {} : undefined });
    refuseForgedMarker("description", input.description);
    const request = { ...input, policy: wantsPolicy ? requestedPolicy(input, now()) : undefined };

    const current = await tokens.get(input.tokenId, signal);
    if (!current) throw new ToolError(`No token with ID ${input.tokenId} in this account; nothing was changed.`);
    const plan = planUpdate(current, request, guardrails, now());
    if (plan.effects.length > 0) await confirm(`Change the SolarNetwork security token ${describeToken(current)}? This ${plan.effects.join("; ")}.`);
    const { token, applied } = await applyUpdate(current, plan, { tokens, guardrails, exclusive, signal });
    const warnings = [...expiryWarnings(input), ...plan.warnings, ...riskWarnings(token.type, token.policy)];
    const structured = { token: sanitizeToken(token), applied, warnings };
    const notes = [`Applied: ${applied.join(", ")}.`, ...warnings];
    return { structured, text: tokensText(structured, input.displayMode, [structured.token], notes) };
  },
});
