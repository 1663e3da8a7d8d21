import { z } from "zod";
import { describeQuoted } from "../../backends/vast/sanitize.js";
import { boundedExpiry } from "../../safety/guardrails.js";
import { ToolError, UserInputError } from "../../core/errors.js";
import { displayModeField, expiryFields } from "../fields.js";
import { expiryWarnings, resolvedExpiry } from "../policy-input.js";
import { defineTool } from "./tool.js";
import { tokensText } from "./text.js";
import { vastTokenSchema } from "../../backends/vast/tokens.js";
import { vastNameField, vastTokenIdField } from "./fields.js";
import { refuseForgedMarker } from "../provenance-input.js";
import { durationFor } from "../../backends/vast/duration.js";
import { renamed } from "../../backends/vast/naming.js";
import { sanitizeVastToken } from "../../backends/vast/sanitize.js";

export const updateVastToken = defineTool({
  name: "update_token",
  title: "Update an API token",
  description:
    "Rename a VAST VMS API token or change its expiry; expiresIn counts from now (30D: 30 days from now). Its scope, " +
    "owner and secret cannot change, and there is no disable: revoke_token ends a token.",
  input: z.strictObject({
    tokenId: vastTokenIdField,
    name: vastNameField.optional().describe("The new name"),
    ...expiryFields,
    displayMode: displayModeField,
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
  async run(input, { tokens, signal, now, guardrails, confirm }) {
    const wantsExpiry = [input.expirationDate, input.expiresIn, input.timeZone].some((value) => value !== undefined);
    if (input.name === undefined && !wantsExpiry) throw new UserInputError("arguments", "nothing to change: give a name or an expiry.");
    refuseForgedMarker("name", input.name);
    const expiry = wantsExpiry ? boundedExpiry(resolvedExpiry(input, now()), guardrails, now(), "update") : undefined;
    const warnings = expiryWarnings(input);

    const current = await tokens.get(input.tokenId, signal);
    if (!current) throw new ToolError(`No API token with ID ${input.tokenId} is visible to this server; nothing was changed.`);
    if (current.status === "Revoked") throw new ToolError(`Token ${current.id} is revoked, for good; nothing was changed. Create a new one instead.`);
    const change: { name?: string; expiry?: string } = {};
    if (input.name !== undefined) change.name = renamed(input.name, current.name, warnings);
    if (expiry !== undefined) change.expiry = durationFor(expiry, Date.parse(current.created), await tokens.maxLifetimeMs(signal), input);
    const currentExpiry = current.expires === undefined ? Infinity : Date.parse(current.expires);
    if (expiry !== undefined && expiry > currentExpiry) {
      await confirm(
        `Extend the VAST VMS API token ${describeQuoted(current)} from ${current.expires} to ${new Date(expiry).toISOString()}? It keeps all of ${current.owner}'s permissions for longer.`,
      );
    }
    await tokens.modify(current.id, change, signal);
    const applied = [...(change.name !== undefined ? ["name" as const] : []), ...(change.expiry !== undefined ? ["expiry" as const] : [])];
    let token;
    try {
      token = await tokens.get(current.id, signal);
    } catch {
      // Reported below: the change stands either way.
    }
    if (!token) throw new ToolError(`The change was applied (${applied.join(", ")}), but reading the token back failed. Call list_tokens to see it.`);
    const shown = sanitizeVastToken(token);
    // Whole seconds from creation put it up to a second early; anything else is VMS's own doing.
    if (expiry !== undefined && shown.expires !== undefined && Math.abs(Date.parse(shown.expires) - expiry) > 1_000) {
      warnings.push(`VMS set the expiry to ${shown.expires} (it counts whole seconds from the token's creation, and may clamp to the cluster's maximum).`);
    }
    const structured = { token: shown, applied, warnings };
    return { structured, text: tokensText(structured, input.displayMode, [shown], [`Applied: ${applied.join(", ")}.`, ...warnings]) };
  },
});
