import { z } from "zod";
import { UserInputError } from "../core/errors.js";
import { looksLikeMarker, newNonce, requestKeyHash, type Provenance } from "../core/provenance.js";
import type { ToolContext } from "./tool.js";

/** create_token's idempotency key, on every backend. */
export const requestKeyField = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'")
  .optional()
  .describe("Idempotency key: reused within 24 h, returns the first token");

const REQUEST_KEY_WINDOW_MS = 24 * 3_600_000;

/** Refuses model-written text that would read as a provenance marker: provenance is this server's to write. */
export function refuseForgedMarker(field: string, text: string | undefined): void {
  if (text !== undefined && looksLikeMarker(text)) {
    throw new UserInputError(field, "must not contain \"[ai \": that is the provenance marker this server writes itself.");
  }
}

/** The provenance of a token minted now by this call (create_token, or rotate_token through it). */
export function mintProvenance(requestKey: string | undefined, { now, successorOf }: Pick<ToolContext, "now" | "successorOf">): Provenance {
  return {
    mintedAt: now(),
    nonce: newNonce(),
    ...(requestKey === undefined ? {} : { requestKey: requestKeyHash(requestKey) }),
    ...(successorOf === undefined ? {} : { rotatedFrom: successorOf }),
  };
}

/**
 * The token an earlier create with this requestKey made within 24 hours (found by its marker, so
 * it survives restarts), read in the backend's own shape by `read`, with the warning to show.
 */
export async function repeatedCreate<T>(
  requestKey: string | undefined,
  { backend, now, signal }: Pick<ToolContext, "backend" | "now" | "signal">,
  read: (tokenId: string) => Promise<T | undefined>,
): Promise<{ token: T; warning: string } | undefined> {
  if (requestKey === undefined) return undefined;
  const hash = requestKeyHash(requestKey);
  const since = now() - REQUEST_KEY_WINDOW_MS;
  const earlier = (await backend.inventory.summaries(signal))
    .filter((token) => token.provenance?.requestKey === hash && token.provenance.mintedAt >= since)
    .sort((a, b) => Date.parse(a.created) - Date.parse(b.created))[0];
  const token = earlier && (await read(earlier.id));
  if (!earlier || token === undefined) return undefined;
  return {
    token,
    warning: `A token for requestKey "${requestKey}" was already created (${earlier.id}, ${earlier.created}): this is it, and no new one was made. Its secret was shown then and cannot be shown again; if it was lost, rotate_token makes a successor.`,
  };
}
