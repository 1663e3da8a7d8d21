import { z } from "zod";
import { updateChange } from "../effects.js";
import { refuseOverCaps } from "../creating.js";
import { allowChange } from "../../../tools/allow-change.js";
import { boundedExpiry } from "../../../safety/guardrails.js";
import { ToolError, UserInputError } from "../../../core/errors.js";
import { undescribedDisplayModeField, undescribedExpiryFields } from "../../../tools/fields.js";
import { expiryWarnings, resolvedExpiry } from "../../../tools/expiry-input.js";
import { defineTool } from "./tool.js";
import { tokensText } from "./text.js";
import { vastTokenSchema } from "../tokens.js";
import { vastNameField, vastTokenIdField } from "./fields.js";
import { refuseForgedMarker } from "../../../tools/provenance-input.js";
import { applyVastUpdate, planVastUpdate } from "../updating.js";
import { sanitizeVastToken } from "../sanitize.js";

export const updateVastToken = defineTool({
  name: "update_token",
  title: "Update an API token",
  description:
    "Rename a VAST VMS API token or change its expiry (fields as in create_token; expiresIn counts from now). Its " +
    "owner and secret cannot change, and there is no disable: revoke_token ends a token.",
  withoutCreate: {
    description:
      "Rename a VAST VMS API token or change its expiry; expiresIn counts from now (30D: 30 days from now). Its " +
      "owner and secret cannot change, and there is no disable: revoke_token ends a token.",
  },
  input: z.strictObject({
    tokenId: vastTokenIdField,
    name: vastNameField.optional().describe("The new name"),
    ...undescribedExpiryFields,
    displayMode: undescribedDisplayModeField,
  }),
  output: z.object({
    token: vastTokenSchema,
    applied: z.array(z.enum(["name", "expiry"])).describe("What was changed (VMS applies both in one request)"),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  refusedArguments: {
    status: "VMS tokens cannot be disabled. revoke_token ends a token for good (it cannot be undone); a shorter expiry ends it later.",
    description: "VMS tokens have no description; the name is all they have.",
  },
  async run(input, context) {
    const { tokens, signal, now, guardrails, exclusive } = context;
    const wantsExpiry = [input.expirationDate, input.expiresIn, input.timeZone].some((value) => value !== undefined);
    if (input.name === undefined && !wantsExpiry) throw new UserInputError("arguments", "nothing to change: give a name or an expiry.");
    refuseForgedMarker("name", input.name);
    const expiry = wantsExpiry ? boundedExpiry(resolvedExpiry(input, now()), guardrails, now(), "update") : undefined;

    const current = await tokens.get(input.tokenId, signal);
    if (!current) throw new ToolError(`No API token with ID ${input.tokenId} is visible to this server; nothing was changed.`);
    const maxLifetimeMs = expiry === undefined ? undefined : await tokens.maxLifetimeMs(signal);
    const plan = planVastUpdate(current, { name: input.name, expiry, expiresIn: input.expiresIn }, maxLifetimeMs);
    const verdict = await allowChange(await updateChange(current, expiry, context), context);
    const apply = async () => {
      // Judged above: a token made valid again has an owner this server may write for, so VMS names it.
      const owner = current.owner ?? "";
      if (verdict.entersUsable) await refuseOverCaps(owner, await tokens.list({ owner, includeRevoked: false }, signal), context);
      return await applyVastUpdate(current, plan, tokens, signal);
    };
    // A token made valid again is checked against the caps and changed with no parallel create or revival in between.
    const { token, warnings: applyWarnings } = await (verdict.entersUsable ? exclusive(apply) : apply());
    const warnings = [...expiryWarnings(input), ...plan.warnings, ...verdict.warnings, ...applyWarnings];
    const structured = { token: sanitizeVastToken(token), applied: plan.parts, warnings };
    return { structured, text: tokensText(structured, input.displayMode, [structured.token], [`Applied: ${plan.parts.join(", ")}.`, ...warnings]) };
  },
});
