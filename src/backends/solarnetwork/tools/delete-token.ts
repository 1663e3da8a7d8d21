import { z } from "zod";
import { describeToken } from "../sanitize.js";
import { ToolError } from "../../../core/errors.js";
import { tokenIdField } from "./fields.js";
import { defineTool } from "./tool.js";

export const deleteToken = defineTool({
  name: "delete_token",
  title: "Delete a security token",
  description:
    "Delete a SolarNetwork token for good (update_token status Disabled is reversible).",
  input: z.strictObject({ tokenId: tokenIdField }),
  output: z.object({ deleted: z.string().describe("The deleted token's ID") }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run({ tokenId }, { tokens, signal, confirm }) {
    // SolarNetwork answers success for an unknown ID too; check first so the answer is true.
    const token = await tokens.get(tokenId, signal);
    if (!token) throw new ToolError(`No token with ID ${tokenId} in this account; nothing was deleted.`);
    await confirm(`Delete the SolarNetwork security token ${describeToken(token)}? Anything using it stops working, for good.`);
    await tokens.delete(tokenId, signal);
    const structured = { deleted: tokenId };
    return { structured, text: JSON.stringify(structured) };
  },
});
