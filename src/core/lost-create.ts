import type { Logger } from "../log.js";
import { ToolError } from "./errors.js";

/** A create whose reply never came: the token system may have made a token whose secret no one has. */
export interface LostCreate {
  /** As messages name it: "SolarNetwork", "VMS". */
  system: string;
  /**
   * The IDs of tokens the create made (new since it was sent, carrying its nonce), and why an empty
   * result may prove nothing (e.g. the listing hides the owner's tokens, or holds new tokens that
   * cannot be read).
   */
  findOrphans(): Promise<{ orphans: string[]; mayMiss?: string }>;
  /** What to say when that search fails too: how a person finds and ends the token. */
  unsearchable: string;
  end: { verb: "delete" | "revoke"; tool: string; run(tokenId: string): Promise<unknown> };
  log: Logger;
}

/**
 * Ends what a lost create left behind, and says exactly what is left: never "try again" while a
 * token may exist, since that could leave two.
 */
export async function resolveLostCreate({ system, findOrphans, unsearchable, end, log }: LostCreate): Promise<never> {
  let orphans: string[];
  let mayMiss: string | undefined;
  try {
    ({ orphans, mayMiss } = await findOrphans());
  } catch {
    throw new ToolError(`No usable reply came to the create, and listing tokens to check failed too. ${unsearchable}`);
  }
  if (orphans.length === 0 && mayMiss !== undefined) {
    throw new ToolError(`No usable reply came to the create, and ${system} lists no token from it, but ${mayMiss}. ${unsearchable}`);
  }
  if (orphans.length === 0) {
    // The reply was lost, not the request: it may still be applied after this listing.
    throw new ToolError(
      `No usable reply came to the create, and ${system} holds no new token from it, so most likely nothing was created. Check list_tokens before creating it again: a token from this create that shows up later has a secret no one has, so ${end.verb} it.`,
    );
  }
  const ended = end.verb === "delete" ? "deleted" : "revoked";
  const [orphan, ...others] = orphans as [string, ...string[]];
  if (others.length > 0) {
    // One create makes one token, and the nonce is this create's alone: a second match means the
    // search cannot tell, and ending the wrong one would break what uses it.
    throw new ToolError(
      `No usable reply came to the create, and ${system} holds ${orphans.length} new tokens that match it (${orphans.join(", ")}): at most one is this create's, whose secret no one has, so none was ${ended}. A person should ${end.verb} the one nothing uses before another is created.`,
    );
  }
  try {
    await end.run(orphan);
  } catch {
    throw new ToolError(
      `No usable reply came to the create, but ${system} made token ${orphan}, whose secret no one has, and ${end.verb === "delete" ? "deleting" : "revoking"} it failed. ${end.verb === "delete" ? "Delete" : "Revoke"} ${orphan} with ${end.tool} before creating another.`,
    );
  }
  log.warn(`${ended} a token whose create got no usable reply`, { tokenId: orphan });
  throw new ToolError(
    `No usable reply came to the create; ${system} had made token ${orphan}, whose secret no one received, so it was ${ended} again. Nothing is left behind: create the token again.`,
  );
}
