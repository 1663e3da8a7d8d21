import { z } from "zod";
import { mintVastToken, planVastCreate } from "../creating.js";
import { vastTokenSchema } from "../tokens.js";
import { boundedExpiry } from "../../../safety/guardrails.js";
import { displayModeField, expiryFields } from "../../../tools/fields.js";
import { expiryWarnings, resolvedExpiry } from "../../../tools/expiry-input.js";
import { mintProvenance, refuseForgedMarker, repeatedCreate, requestKeyField } from "../../../tools/provenance-input.js";
import { ownerField, vastNameField } from "./fields.js";
import { sanitizeVastToken } from "../sanitize.js";
import { handOverSecret, secretDeliveryField } from "../../../tools/hand-over.js";
import { tokensText } from "./text.js";
import { defineTool } from "./tool.js";

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
    secretDelivery: secretDeliveryField,
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(input, context) {
    const { tokens, signal, guardrails, now, confirm, delivery, protectSecret, exclusive, log, ownTokenId } = context;
    refuseForgedMarker("name", input.name);
    const resolvedAt = now();
    const expiry = boundedExpiry(resolvedExpiry(input, resolvedAt), guardrails, resolvedAt, "create");
    const ownUser = await tokens.ownUser(signal);
    const plan = planVastCreate(input, ownUser, tokens.allowedOwners, mintProvenance(input.requestKey, context));
    await delivery.prepare();
    if (plan.forAnotherOwner) {
      await confirm(
        `Create a VAST VMS API token for the user «${plan.owner}» (not this server's own user ${ownUser})? It can do everything ${plan.owner} can do in VMS.`,
      );
    }
    /** A repeated requestKey answers with the first token: checked before asking, and again in the exclusive section. */
    const reuse = async () => {
      const repeat = await repeatedCreate(input.requestKey, context, (id) => tokens.get(id, signal));
      if (!repeat) return undefined;
      const structured = { token: sanitizeVastToken(repeat.token), warnings: [repeat.warning] };
      return { structured, text: tokensText(structured, input.displayMode, [structured.token], structured.warnings) };
    };
    const repeated = await reuse();
    if (repeated) return repeated;

    const deps = { tokens, guardrails, ownTokenId, log, now, signal };
    const minted = await exclusive(async () => (await reuse()) ?? (await mintVastToken(plan, { expiry, resolvedAt, expiresIn: input.expiresIn }, deps)));
    if (!("secret" in minted)) return minted;
    protectSecret(minted.secret);
    protectSecret(minted.secret.slice(minted.secret.indexOf(".") + 1));
    const shown = sanitizeVastToken(minted.token ?? { id: minted.id, name: plan.name, owner: plan.owner, created: new Date(minted.sentAt).toISOString(), status: "Active" });
    const lines = [["VAST_API_TOKEN", minted.secret]] as const;
    const end = { verb: "revoke", tool: "revoke_token", run: (id: string) => tokens.revoke(id) } as const;
    const handed = await handOverSecret({ tokenId: minted.id, filePrefix: "vast-token", lines }, minted.secret, { noun: "credential", end }, context);
    const warnings = [...(handed.shownOnce ? [handed.shownOnce] : []), ...expiryWarnings(input), ...plan.warnings, ...minted.warnings];
    const structured = { token: shown, ...handed.delivered, warnings };
    const notes = handed.whereNote ? [handed.whereNote, ...warnings] : warnings;
    return { structured, text: tokensText(structured, input.displayMode, [shown], notes, handed.reveal), reveal: handed.reveal, unseen: handed.unseen };
  },
});
