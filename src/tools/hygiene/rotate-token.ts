import { z } from "zod";
import { errorText, ToolError } from "../../core/errors.js";
import type { Tool } from "../tool.js";
import { describeSummary, defineTool, shownSummary } from "./tool.js";

/**
 * rotate_token: a successor made by the backend's own create_token (so it gets the same checks,
 * confirmations and secret delivery), then the old token retired only after a person confirms,
 * and never before the new secret is on its way.
 */
export function rotateToken(createTool: Tool) {
  return defineTool({
    name: "rotate_token",
    title: "Rotate a token",
    description:
      "Replace a token with a same-settings successor, retiring the old one once the person confirms.",
    input: z.strictObject({
      tokenId: z.string().min(1).max(64).describe("The token to replace"),
    }),
    output: (createTool.output as z.ZodObject).extend({
      previous: z.object({
        tokenId: z.string(),
        retired: z.boolean().describe("Whether the old token was ended; false: it is still live"),
      }),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async run(input, context) {
      const { backend, signal, ownTokenId, confirm, log, progress } = context;
      // Steps: find the token, make its successor, retire the old one.
      if (input.tokenId === ownTokenId) {
        throw new ToolError(`Token ${input.tokenId} is this server's own credential: rotating it here would lock this server out. The operator rotates it and reconfigures the server.`);
      }
      const old = (await backend.inventory.summaries(signal)).find((token) => token.id === input.tokenId);
      if (!old) throw new ToolError(`No token with ID ${input.tokenId} is visible to this server (revoked tokens cannot be rotated); nothing was changed.`);
      if (old.status === "Disabled") throw new ToolError(`Token ${old.id} is disabled: enable it or create a new one; nothing was changed.`);
      const args = createTool.input.safeParse(backend.inventory.successorArguments(old));
      if (!args.success) {
        throw new ToolError(`Token ${old.id}'s settings cannot be given to create_token (${args.error.issues[0]?.path.join(".")}: ${args.error.issues[0]?.message}); create its successor with create_token. Nothing was changed.`);
      }
      progress(1, 3, `Found ${old.id}; creating its successor`);
      const created = await createTool.run(args.data, { ...context, successorOf: old.id });
      const successor = (created.structured as { token: { id: string } }).token.id;
      progress(2, 3, `Created the successor ${successor}`);

      // From here on the new secret exists: nothing may turn this result into an error.
      const end = backend.capabilities.canDisable ? "Disable" : "Revoke, for good,";
      let retired = false;
      let outcome: string;
      try {
        if (created.unseen) throw new ToolError(`${created.unseen}, so the old token is kept until they have the new one`);
        await confirm(`The successor ${successor} has been created and its secret handed over. ${end} the old token ${describeSummary(shownSummary(old))} now? Anything still using it stops working.`);
        await backend.inventory.retire(old.id, signal);
        retired = true;
        outcome = `The old token ${old.id} was ${backend.capabilities.canDisable ? "disabled" : "revoked"}; ${successor} is live.`;
      } catch (error) {
        log.info("rotate_token left the old token live", { tokenId: old.id, error: errorText(error) });
        outcome = `Both tokens are live: ${successor} (new) and ${old.id} (old, not retired: ${errorText(error)}). Retire ${old.id} once nothing uses it.`;
      }
      progress(3, 3, retired ? `Retired ${old.id}` : `Kept ${old.id} live`);
      const structured = { ...(created.structured as Record<string, unknown>), previous: { tokenId: old.id, retired } };
      const text = `${created.text}\n${outcome}`;
      return { structured, text, reveal: created.reveal };
    },
  });
}
