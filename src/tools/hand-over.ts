import { z } from "zod";
import { ToolError } from "../core/errors.js";
import type { NewCredential } from "../safety/new-credential.js";
import type { DeliveredSecret, DeliveryReport } from "../safety/secret-delivery.js";
import { PAGE_LIFETIME_MS } from "../safety/secret-page.js";
import type { ToolContext } from "./tool.js";

/** The create tools' output field for url delivery: the secret went to the person, not into the result. */
export const secretDeliveryField = z
  .literal("url")
  .optional()
  .describe("url: the secret was shown to the person on a one-time page, not in this result");

/** How one backend words and files a new token's secret. */
export interface SecretTerms {
  /** "secret" (SolarNetwork) or "credential" (VMS's whole ID.SECRET). */
  noun: string;
  /** Ends the new token when its secret cannot be delivered: delete (SolarNetwork) or revoke (VMS). */
  end: { verb: "delete" | "revoke"; tool: string; run(tokenId: string): Promise<unknown> };
}

export interface HandedOver {
  delivered: DeliveredSecret;
  /** Leads the result's warnings: the secret is shown once, in this result or on a page. */
  shownOnce?: string;
  /** Leads the text rendering's notes: where the secret went instead. */
  whereNote?: string;
  /** The secret itself when the result carries it (the one-time reveal). */
  reveal?: string;
  /** Set when the person may not have the secret (they declined its page): why. */
  unseen?: string;
}

/**
 * Gives a new token's secret to the person: once in the result, in a private file, or on a
 * one-time page (whatever the person answers to its prompt, the page lasts until it expires). A token
 * whose secret cannot reach anyone (the call was cancelled while it was being made, the file
 * cannot be written) is useless and a risk: it is ended again, and the error says so. The ending is
 * not cancellable: it must run even when the call it belongs to was cancelled.
 */
export async function handOverSecret(
  credential: NewCredential,
  secret: string,
  terms: SecretTerms,
  { delivery, signal, log, backend }: Pick<ToolContext, "delivery" | "signal" | "log" | "backend">,
): Promise<HandedOver> {
  const { noun, end } = terms;
  const ended = end.verb === "delete" ? "deleted" : "revoked";
  const discard = async (why: string, cause: unknown): Promise<never> => {
    log.error(`ending a new token whose ${noun} cannot be delivered`, { tokenId: credential.tokenId, why, error: String(cause) });
    try {
      await end.run(credential.tokenId);
    } catch {
      throw new ToolError(
        `${why} after token ${credential.tokenId} was created, and ${end.verb === "delete" ? "deleting" : "revoking"} it failed: its ${noun} was never shown. ${capitalised(end.verb)} ${credential.tokenId} with ${end.tool}.`,
      );
    }
    throw new ToolError(`${why}, so the new token ${credential.tokenId}, whose ${noun} no one received, was ${ended} again.`);
  };
  // Cancelled while the create was in flight (the client gave up, the connection closed): no one
  // will read this result, so the secret would be lost with a live token.
  if (signal.aborted) return await discard("The call was cancelled", signal.reason);
  let delivered: DeliveryReport;
  try {
    delivered = await delivery.deliver(credential, secret);
  } catch (error) {
    return await discard(delivery.failure, error);
  }
  if ("secretDelivery" in delivered) {
    // Nobody can open a page whose prompt was never shown, or whose call was given up: like a
    // cancelled create, its token is ended rather than left live with a secret no one has. A page
    // already viewed has done its work, whatever became of the prompt.
    const unreachable = delivered.prompt === "failed" || (signal.aborted && delivered.prompt !== "accept");
    if (unreachable && !delivered.withdraw()) {
      const why = signal.aborted ? "The call was cancelled while the person was offered the page" : "The client could not show the prompt that offers the page";
      return await discard(why, signal.reason);
    }
    // Unreachable but viewed: the person has it.
    const prompt = unreachable || delivered.prompt === "failed" ? "accept" : delivered.prompt;
    const handed = { delivered: { secretDelivery: "url" as const }, shownOnce: pageNote(noun, prompt, delivered.expiresAt) };
    return prompt === "accept" ? handed : { ...handed, unseen: `the person ${prompt === "decline" ? "declined" : "dismissed"} the page that shows its secret` };
  }
  if ("secretFile" in delivered) return { delivered, whereNote: `${capitalised(noun)} written to ${delivered.secretFile}` };
  return {
    delivered,
    shownOnce: `The ${noun} is shown only now: ${backend.name} will never show it again. Copy it to a safe place, and do not repeat it in later messages.`,
    reveal: delivered.secret,
  };
}

/**
 * The page's URL opens it, so it stays out of the result (which the model reads): only the prompt,
 * which the client shows the person, carries it. In a result of the json display mode (the
 * default) the warnings are the only prose, so the note leads them.
 */
function pageNote(noun: string, prompt: "accept" | "decline" | "cancel", expiresAt: number): string {
  const until = new Date(expiresAt).toISOString();
  const answer = prompt === "accept" ? "" : ` The person ${prompt === "decline" ? "declined" : "dismissed"} the prompt; the page still lasts until ${until}.`;
  return `The ${noun} was offered to the person on a one-time page (opened from the client's prompt); it is not in this result. If they did not open it within ${PAGE_LIFETIME_MS / 60_000} minutes, it is gone: rotate_token makes a new one.${answer}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
