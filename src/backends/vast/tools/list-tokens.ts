import { z } from "zod";
import { readProvenance } from "../../../core/provenance.js";
import { sanitizeVastToken } from "../sanitize.js";
import { displayModeField, mintedByAssistantField, visibleText } from "../../../tools/fields.js";
import { pageSummary, shownPage } from "../../../tools/paging.js";
import { defineTool } from "./tool.js";
import { tokensText } from "./text.js";
import { vastTokenSchema } from "../tokens.js";
import { ownerField } from "./fields.js";

export const listVastTokens = defineTool({
  name: "list_tokens",
  title: "List API tokens",
  description:
    "List VAST VMS API tokens, oldest first: owner, created, expires, last used, status. Never shows secrets. " +
    "Filter by owner or search text; revoked tokens only with includeRevoked; page with limit and offset.",
  input: z.strictObject({
    owner: ownerField.optional().describe("Only this VMS user's tokens"),
    includeRevoked: z.boolean().default(false).describe("Also list revoked tokens (VMS archives them)"),
    mintedByAssistant: mintedByAssistantField,
    search: visibleText().min(1).max(200).optional().describe("Case-insensitive text in ID, name or owner"),
    limit: z.number().int().min(1).max(500).default(50).describe("Tokens per page"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("Tokens to skip, for paging"),
    displayMode: displayModeField,
  }),
  output: z.object({
    tokens: z.array(vastTokenSchema.extend({ mintedByAssistant: z.boolean().describe("Carries the [ai …] marker: an assistant minted it here") })),
    total: z.number().int().describe("Tokens matching the filter, over all pages"),
    offset: z.number().int(),
    limit: z.number().int(),
    hasMore: z.boolean(),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(input, { tokens, signal, redact, progress }) {
    const { tokens: all, notes } = await tokens.listing({ owner: input.owner, includeRevoked: input.includeRevoked }, signal);
    const show = (token: (typeof all)[number]) => {
      const clean = sanitizeVastToken(token);
      return { ...clean, mintedByAssistant: readProvenance(clean.name) !== undefined };
    };
    const needle = input.search?.toLowerCase();
    // Matched against what is shown, never the raw fields: a search must not read a hidden value back.
    const matches = needle ? (token: ReturnType<typeof show>) => [token.id, token.name, token.owner].some((f) => f !== undefined && redact(f).toLowerCase().includes(needle)) : undefined;
    const page = shownPage(all, show, { mintedByAssistant: input.mintedByAssistant, matches }, input, progress);
    const structured = { ...page, warnings: notes };
    return { structured, text: tokensText(structured, input.displayMode, page.tokens, [pageSummary(page), ...notes]) };
  },
});
