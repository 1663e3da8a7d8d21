import { z } from "zod";
import { errorText, RefusedError } from "../../core/errors.js";
import type { TokenSummary } from "../../core/token.js";
import { judge } from "../../safety/effects.js";
import { describeSummary, defineTool, retireChange, shownSummary } from "./tool.js";

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
  async run(input, context) {
    const { backend, signal, now, ownTokenId, confirm, guardrails, log, progress } = context;
    const action = backend.capabilities.canDisable ? ("disabled" as const) : ("revoked" as const);
    const cutoff = input.olderThanDays === undefined ? Infinity : now() - input.olderThanDays * DAY;
    const candidates = (await backend.inventory.summaries(signal))
      .filter((token) => token.provenance && token.provenance.mintedAt <= cutoff && token.status === "Active" && token.id !== ownTokenId);
    const structured = { action, retired: [] as string[], failed: [] as { tokenId: string; error: string }[], notAttempted: [] as string[] };
    const affected: TokenSummary[] = [];
    for (const token of candidates) {
      try {
        judge(await retireChange(token, context), guardrails, now());
        affected.push(shownSummary(token));
      } catch (error) {
        // An operator's rule keeps this one out (an owner outside the allowed ones): reported, left live.
        if (!(error instanceof RefusedError)) throw error;
        structured.failed.push({ tokenId: shownSummary(token).id, error: errorText(error) });
      }
    }
    const stillLive = () => structured.failed.map(({ tokenId, error }) => `Still live: ${tokenId} (${error})`);
    // Steps: the listing, then each token ended (or not).
    const steps = affected.length + 1;
    progress(1, steps, `Found ${affected.length} active token${affected.length === 1 ? "" : "s"} minted by an assistant`);
    if (affected.length === 0) {
      const none = `No active token minted by an assistant${input.olderThanDays === undefined ? "" : ` ${input.olderThanDays} or more days ago`} may be ${action} here: nothing was changed.`;
      return { structured, text: [JSON.stringify(structured), none, ...stillLive()].join("\n") };
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
      ...stillLive(),
      ...(structured.notAttempted.length > 0 ? [`Cancelled before: ${structured.notAttempted.join(", ")} (still live).`] : []),
    ];
    return { structured, text: [JSON.stringify(structured), ...notes].join("\n") };
  },
});
