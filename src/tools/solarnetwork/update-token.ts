import { z } from "zod";
import { carryMarker } from "../../core/provenance.js";
import { applyUpdateRules, capExpiryOnEnable, enforceActiveTokenCap } from "../../backends/solarnetwork/rules.js";
import { describeToken, sanitizeToken } from "../../backends/solarnetwork/sanitize.js";
import { wirePolicy } from "../../backends/solarnetwork/effective-policy.js";
import { tokenSchema, type Policy, type Token } from "../../backends/solarnetwork/model.js";
import { classifyChange } from "../../backends/solarnetwork/widening.js";
import { hasPolicyFields, riskWarnings } from "../../backends/solarnetwork/policy.js";
import { PartialFailureError, ToolError, UserInputError } from "../../core/errors.js";
import { displayModeField, expiryFields, infoFields, policyFields, statusField, tokenIdField } from "../fields.js";
import { expiryWarnings, requestedPolicy } from "../policy-input.js";
import { refuseForgedMarker } from "../provenance-input.js";
import { tokensText } from "./text.js";
import { defineTool, type SolarNetworkToolContext as ToolContext } from "./tool.js";

const PARTS = ["info", "policy", "status"] as const;
type Part = (typeof PARTS)[number];

export const updateToken = defineTool({
  name: "update_token",
  title: "Update a security token",
  description:
    "Change a SolarNetwork token's name, description, security policy, expiry or status. Policy fields merge into " +
    "the current policy (lists are added to) unless replace is true. Applied in the order info, policy, status.",
  input: z.strictObject({
    tokenId: tokenIdField,
    ...infoFields,
    status: statusField.optional().describe("Active enables the token, Disabled disables it"),
    ...policyFields,
    ...expiryFields,
    replace: z
      .boolean()
      .default(false)
      .describe("true: the given policy fields become the whole policy; false: they merge into it"),
    displayMode: displayModeField,
  }),
  output: z.object({
    token: tokenSchema,
    applied: z.array(z.enum(PARTS)).describe("The parts changed, in the order applied"),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(input, context) {
    const { tokens, now, signal, guardrails, confirm } = context;
    const wantsPolicy = hasPolicyFields(input) || [input.expirationDate, input.expiresIn, input.timeZone].some((v) => v !== undefined);
    const requested: Record<Part, boolean> = {
      info: input.name !== undefined || input.description !== undefined,
      policy: wantsPolicy,
      status: input.status !== undefined,
    };
    const parts = PARTS.filter((part) => requested[part]);
    if (parts.length === 0) {
      throw new UserInputError("arguments", "nothing to change: give a name, description, status, policy field or expiry.");
    }
    if (input.replace && !wantsPolicy) {
      throw new UserInputError("replace", "replace needs the policy fields that make up the new policy.");
    }
    refuseForgedMarker("description", input.description);
    const policy = wantsPolicy ? requestedPolicy(input, now()) : undefined;

    const current = await tokens.get(input.tokenId, signal);
    if (!current) throw new ToolError(`No token with ID ${input.tokenId} in this account; nothing was changed.`);
    const mode = input.replace ? "replace" : "merge";
    const warnings = expiryWarnings(input);
    let sendPolicy = policy && applyUpdateRules(current, policy, mode, guardrails, now());
    const enabling = input.status === "Active" && current.status === "Disabled";
    if (enabling) {
      const capped = capExpiryOnEnable(current, sendPolicy, mode, guardrails, now());
      if (capped) {
        sendPolicy = capped.policy;
        warnings.push(capped.warning);
        if (!parts.includes("policy")) parts.splice(parts.indexOf("status"), 0, "policy");
      }
    }
    const change = classifyChange(current, { policy: sendPolicy, mode, status: input.status });
    if (policy) warnings.push(...mergeOnlyAddsWarnings(current, policy, mode), ...droppedWarnings(current, policy, change.dropped, mode));
    if (sendPolicy && change.policyUnchanged) {
      parts.splice(parts.indexOf("policy"), 1);
      if (parts.length === 0) {
        throw new ToolError(`Nothing was changed: the token's policy already is what this call asks for. ${warnings.join(" ")}`.trim());
      }
    }
    const disabling = input.status === "Disabled" && current.status === "Active";
    if (change.widening.length > 0 || disabling) {
      const effects = [...change.widening, ...(disabling ? ["disables it: anything using it stops working until it is enabled again"] : [])];
      await confirm(`Change the SolarNetwork security token ${describeToken(current)}? This ${effects.join("; ")}.`);
    }

    const steps: Record<Part, () => Promise<unknown>> = {
      // SolarNetwork's /info sets both fields: resend the one not being changed, or it is cleared.
      info: () =>
        tokens.setInfo(
          current.id,
          {
            name: input.name ?? current.name,
            description: input.description === undefined ? current.description : carryMarker(input.description, current.description),
          },
          signal,
        ),
      policy: () => tokens.updatePolicy(current.id, sendPolicy ?? {}, mode, signal),
      status: () => tokens.setStatus(current.id, input.status ?? current.status, signal),
    };
    const applied: Part[] = [];
    const apply = async () => {
      if (enabling) await enforceActiveTokenCap(tokens, guardrails, signal);
      for (const part of parts) {
        try {
          await steps[part]();
        } catch (error) {
          if (applied.length === 0) throw error;
          throw new PartialFailureError(applied, parts.slice(applied.length), `Updating the token's ${part}`, error);
        }
        applied.push(part);
      }
    };
    // A re-enable is checked against the cap and applied with no parallel create or re-enable in between.
    await (enabling ? context.exclusive(apply) : apply());

    const token = await readBack(current.id, applied, context);
    warnings.push(...riskWarnings(token.type, token.policy));
    const structured = { token: sanitizeToken(token), applied, warnings };
    const notes = [`Applied: ${applied.join(", ")}.`, ...warnings];
    return { structured, text: tokensText(structured, input.displayMode, [structured.token], notes) };
  },
});

async function readBack(tokenId: string, applied: Part[], { tokens, signal }: ToolContext): Promise<Token> {
  try {
    const token = await tokens.get(tokenId, signal);
    if (token) return token;
  } catch {
    // Reported below: the changes stand either way.
  }
  throw new ToolError(
    `All changes were applied (${applied.join(", ")}), but reading the token back failed. Call list_tokens to see it.`,
  );
}

const LIST_FIELDS = ["nodeIds", "sourceIds", "apiPaths", "nodeMetadataPaths", "userMetadataPaths", "aggregations", "locationPrecisions"] as const;

/** Merge unions lists: naming fewer values than the token has narrows nothing, which the caller may not expect. */
function mergeOnlyAddsWarnings(current: Token, requested: Policy, mode: "merge" | "replace"): string[] {
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
function droppedWarnings(current: Token, requested: Policy, dropped: readonly (keyof Policy)[], mode: "merge" | "replace"): string[] {
  if (mode !== "replace") return [];
  const unnamed = dropped.filter((key) => requested[key] === undefined);
  if (unnamed.length === 0) return [];
  const shown = unnamed.map((key) => `${key} ${JSON.stringify(current.policy?.[key])}`);
  return [`The policy was replaced, which removed what this call did not name: ${shown.join(", ")}. Give them again with replace: true to keep them.`];
}
