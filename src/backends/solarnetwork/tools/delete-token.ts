import { z } from "zod";
import { deleteChange } from "../effects.js";
import { allowChange } from "../../../tools/allow-change.js";
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
  async run({ tokenId }, context) {
    const { tokens, signal } = context;
    // SolarNetwork answers success for an unknown ID too; check first so the answer is true.
    const token = await tokens.get(tokenId, signal);
    if (!token) throw new ToolError(`No token with ID ${tokenId} in this account; nothing was deleted.`);
    await allowChange(deleteChange(token, context), context);
    await tokens.delete(tokenId, signal);
    const structured = { deleted: tokenId };
    return { structured, text: JSON.stringify(structured) };
  },
});
