import { z } from "zod";
import { readProvenance } from "../../../core/provenance.js";
import { sanitizeToken } from "../sanitize.js";
import { isRestricted, tokenSchema, type Token } from "../model.js";
import { defineTool } from "./tool.js";
import { pageSummary, shownPage } from "../../../tools/paging.js";
import { tokensText } from "./text.js";
import { displayModeField, mintedByAssistantField, visibleText } from "../../../tools/fields.js";
import { statusField, tokenTypeField } from "./fields.js";

export const listTokens = defineTool({
  name: "list_tokens",
  title: "List security tokens",
  description:
    "List SolarNetwork tokens and policies (no secrets), oldest first.",
  input: z.strictObject({
    type: tokenTypeField.optional().describe("Only tokens of this type"),
    status: statusField.optional().describe("Only this status"),
    mintedByAssistant: mintedByAssistantField,
    search: visibleText()
      .min(1)
      .max(200)
      .optional()
      .describe("Text in ID, name or description"),
    limit: z.number().int().min(1).max(500).default(50).describe("Tokens per page"),
    offset: z.number().int().min(0).default(0).describe("Tokens to skip"),
    displayMode: displayModeField,
  }),
  output: z.object({
    tokens: z.array(tokenSchema.extend({ mintedByAssistant: z.boolean().describe("Carries the [ai …] marker: an assistant minted it here") })),
    total: z.number().int().describe("Tokens matching the filter, over all pages"),
    offset: z.number().int(),
    limit: z.number().int(),
    hasMore: z.boolean(),
    warnings: z.array(z.string()).describe("Problems with the listing itself, e.g. a restricted server credential"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(input, { tokens, signal, ownTokenId, redact, progress }) {
    const all = await tokens.list({ type: input.type, status: input.status }, signal);
    const own = all.find((token) => token.id === ownTokenId);
    const show = (token: Token) => {
      const clean = sanitizeToken(token);
      return { ...clean, mintedByAssistant: readProvenance(clean.description) !== undefined };
    };
    // Matched against what is shown, never the raw fields: a search must not read a hidden value back.
    const matches = input.search ? matcher(input.search, redact) : undefined;
    const page = shownPage(all, show, { mintedByAssistant: input.mintedByAssistant, matches }, input, progress);
    const structured = { ...page, warnings: own && isRestricted(own.policy) ? [RESTRICTED_CREDENTIAL] : [] };
    return { structured, text: tokensText(structured, input.displayMode, page.tokens, [pageSummary(page), ...structured.warnings]) };
  },
});

const RESTRICTED_CREDENTIAL =
  "This server's own token has a restricted policy, so SolarNetwork lists only that token and refuses every change: " +
  "the account may hold other tokens. The operator should configure an unrestricted User token as SN_TOKEN.";

function matcher(search: string, redact: (text: string) => string): (token: Token) => boolean {
  const needle = search.toLowerCase();
  return (token) =>
    [token.id, token.name, token.description].some((field) => field !== undefined && redact(field).toLowerCase().includes(needle));
}
