import { z } from "zod";
import { errorText } from "../../core/errors.js";
import { describeSummary, defineTool, shownSummary } from "./tool.js";

const DAY = 86_400_000;

/** The kill switch, described as the backend ends a token: `disable` or `revoke`. */
export const retireAssistantTokens = (end: "disable" | "revoke") => defineTool({
  name: "retire_assistant_tokens",
  title: "Retire assistant-minted tokens",
  description: `Kill switch: ${end} every active token an assistant minted here, after one confirmation.`,
  input: z.strictObject({
    olderThanDays: z.number().int().min(0).max(36_500).optional().describe("Minimum age, in days"),
  }),
  output: z.object({
    action: z.enum(["disabled", "revoked"]),
    retired: z.array(z.string()).describe("Token IDs ended by this call"),
    failed: z.array(z.object({ tokenId: z.string(), error: z.string() })).describe("Tokens that could not be ended; still live"),
    notAttempted: z.array(z.string()).describe("Tokens left alone because the call was cancelled; still live"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(input, { backend, signal, now, ownTokenId, confirm, log, progress }) {
    const action = backend.capabilities.canDisable ? ("disabled" as const) : ("revoked" as const);
    const cutoff = input.olderThanDays === undefined ? Infinity : now() - input.olderThanDays * DAY;
    const affected = (await backend.inventory.summaries(signal))
      .filter((token) => token.provenance && token.provenance.mintedAt <= cutoff && token.status === "Active" && token.id !== ownTokenId)
      .map(shownSummary);
    const structured = { action, retired: [] as string[], failed: [] as { tokenId: string; error: string }[], notAttempted: [] as string[] };
    // Steps: the listing, then each token ended (or not).
    const steps = affected.length + 1;
    progress(1, steps, `Found ${affected.length} active token${affected.length === 1 ? "" : "s"} minted by an assistant`);
    if (affected.length === 0) {
      return { structured, text: `${JSON.stringify(structured)}\nNo active token minted by an assistant${input.olderThanDays === undefined ? "" : ` ${input.olderThanDays} or more days ago`}: nothing was changed.` };
    }
    const effect = action === "disabled" ? "Disable (an owner can enable them again)" : "Revoke, for good,";
    await confirm(
      `${effect} these ${affected.length} ${backend.name} tokens minted by an assistant? Anything using them stops working.\n` +
        affected.map((token) => `- ${describeSummary(token)}, minted ${new Date(token.provenance!.mintedAt).toISOString()}`).join("\n"),
    );
    for (const token of affected) {
      if (signal.aborted) {
        structured.notAttempted.push(token.id);
        continue;
      }
      try {
        await backend.inventory.retire(token.id, signal);
        structured.retired.push(token.id);
      } catch (error) {
        log.warn("retiring an assistant-minted token failed", { tokenId: token.id, error: errorText(error) });
        structured.failed.push({ tokenId: token.id, error: errorText(error) });
      }
      const handled = structured.retired.length + structured.failed.length;
      progress(1 + handled, steps, `${handled} of ${affected.length} handled (${structured.retired.length} ${action}, ${structured.failed.length} failed)`);
    }
    const notes = [
      `${action === "disabled" ? "Disabled" : "Revoked"} ${structured.retired.length} of ${affected.length} tokens.`,
      ...structured.failed.map(({ tokenId, error }) => `Still live: ${tokenId} (${error})`),
      ...(structured.notAttempted.length > 0 ? [`Cancelled before: ${structured.notAttempted.join(", ")} (still live).`] : []),
    ];
    return { structured, text: [JSON.stringify(structured), ...notes].join("\n") };
  },
});
