import { z } from "zod";
import { describeQuoted } from "../sanitize.js";
import { ToolError } from "../../../core/errors.js";
import { defineTool } from "./tool.js";
import { vastTokenIdField } from "./fields.js";

export const revokeVastToken = defineTool({
  name: "revoke_token",
  title: "Revoke an API token",
  description:
    "Revoke a VAST VMS API token, for good: anything using it stops working at once and it can never be used again " +
    "(VMS has no delete and no disable; revoked tokens stay listed with includeRevoked). Asks the person first.",
  input: z.strictObject({ tokenId: vastTokenIdField }),
  output: z.object({
    revoked: z.string().describe("The revoked token's ID"),
    alreadyRevoked: z.boolean().describe("Whether it had been revoked before this call"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run({ tokenId }, { tokens, signal, confirm, ownTokenId }) {
    const token = await tokens.get(tokenId, signal);
    if (!token) throw new ToolError(`No API token with ID ${tokenId} is visible to this server; nothing was revoked.`);
    if (token.status === "Revoked") {
      const structured = { revoked: tokenId, alreadyRevoked: true };
      return { structured, text: JSON.stringify(structured) };
    }
    const own = token.id === ownTokenId ? " This is the token this server itself signs in with: revoking it locks this server out of VMS until the operator configures another." : "";
    await confirm(`Revoke the VAST VMS API token ${describeQuoted(token)}? Anything using it stops working, for good.${own}`);
    await tokens.revoke(tokenId, signal);
    const structured = { revoked: tokenId, alreadyRevoked: false };
    return { structured, text: JSON.stringify(structured) };
  },
});
