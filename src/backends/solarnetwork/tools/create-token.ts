import { z } from "zod";
import { withMarker } from "../../../core/provenance.js";
import { mintToken, planCreate } from "../creating.js";
import { sanitizeToken } from "../sanitize.js";
import { tokenSchema } from "../model.js";
import { riskWarnings } from "../policy.js";
import { displayModeField, expiryFields } from "../../../tools/fields.js";
import { infoFields, policyFields, tokenTypeField } from "./fields.js";
import { expiryWarnings } from "../../../tools/expiry-input.js";
import { requestedPolicy } from "./policy-input.js";
import { mintProvenance, refuseForgedMarker, repeatedCreate, requestKeyField } from "../../../tools/provenance-input.js";
import { tokensText } from "./text.js";
import { handOverSecret, secretDeliveryField } from "../../../tools/hand-over.js";
import { defineTool } from "./tool.js";
import { createChange } from "../effects.js";
import { allowChange } from "../../../tools/allow-change.js";

export const createToken = defineTool({
  name: "create_token",
  title: "Create a security token",
  description:
    "Create a SolarNetwork token; its secret is shown once. Prefer the narrowest policy and an expiry.",
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
    secretDelivery: secretDeliveryField,
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(input, context) {
    const { tokens, delivery, now, signal, log, protectSecret, guardrails, exclusive } = context;
    refuseForgedMarker("description", input.description);
    const plan = planCreate(input.type, requestedPolicy(input, now()), guardrails, now());
    /** A repeated requestKey answers with the first token: checked before asking, and again in the exclusive section. */
    const reuse = async () => {
      const repeat = await repeatedCreate(input.requestKey, context, (id) => tokens.get(id, signal));
      if (!repeat) return undefined;
      const structured = { token: sanitizeToken(repeat.token), warnings: [repeat.warning] };
      return { structured, text: tokensText(structured, input.displayMode, [structured.token], structured.warnings) };
    };
    const repeated = await reuse();
    if (repeated) return repeated;
    await delivery.prepare();
    await allowChange(createChange(plan), context);
    const provenance = mintProvenance(input.requestKey, context);
    const info = { name: input.name, description: withMarker(input.description, provenance), nonce: provenance.nonce };
    // Named inside the section too, so a parallel create with the same requestKey finds the marker.
    const minted = await exclusive(async () => (await reuse()) ?? (await mintToken(plan, info, { tokens, guardrails, log, signal })));
    if (!("secret" in minted)) return minted;
    protectSecret(minted.secret);
    const { token } = minted;
    const lines = [["SN_TOKEN", token.id], ["SN_TOKEN_SECRET", minted.secret]] as const;
    const end = { verb: "delete", tool: "delete_token", run: (id: string) => tokens.delete(id) } as const;
    const handed = await handOverSecret({ tokenId: token.id, filePrefix: "sn-token", lines }, minted.secret, { noun: "secret", end }, context);
    const warnings = [...(handed.shownOnce ? [handed.shownOnce] : []), ...expiryWarnings(input), ...minted.warnings, ...riskWarnings(token.type, token.policy)];
    const structured = { token: sanitizeToken(token), ...handed.delivered, warnings };
    const notes = handed.whereNote ? [handed.whereNote, ...warnings] : warnings;
    return { structured, text: tokensText(structured, input.displayMode, [structured.token], notes, handed.reveal), reveal: handed.reveal, unseen: handed.unseen };
  },
});
