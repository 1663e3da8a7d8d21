import type { Logger } from "../log.js";
import { ToolError } from "./errors.js";

/** A create whose reply never came: the token system may have made a token whose secret no one has. */
export interface LostCreate {
  /** As messages name it: "SolarNetwork", "VMS". */
  system: string;
  /** The IDs of tokens the create may have made (new since it was sent, matching what it asked for). */
  findOrphans(): Promise<string[]>;
  /** What to say when that search fails too: how a person finds and ends the token. */
  unsearchable: string;
  /** Set when an empty search proves nothing (the listing may hide the owner's tokens). */
  searchMayMiss?: boolean;
  end: { verb: "delete" | "revoke"; tool: string; run(tokenId: string): Promise<unknown> };
  log: Logger;
}

/**
 * Ends what a lost create left behind, and says exactly what is left: never "try again" while a
 * token may exist, since that could leave two.
 */
export async function resolveLostCreate({ system, findOrphans, unsearchable, searchMayMiss, end, log }: LostCreate): Promise<never> {
  let orphans: string[];
  try {
    orphans = await findOrphans();
  } catch {
    throw new ToolError(`No usable reply came to the create, and listing tokens to check failed too. ${unsearchable}`);
  }
  if (orphans.length === 0 && searchMayMiss) {
    throw new ToolError(`No usable reply came to the create, and ${system} lists no new token, but it may not show this server that owner's tokens. ${unsearchable}`);
  }
  if (orphans.length === 0) {
    throw new ToolError(`No usable reply came to the create, and ${system} holds no new token from it: nothing was created. It is safe to create the token again.`);
  }
  const ended = end.verb === "delete" ? "deleted" : "revoked";
  if (orphans.length > 1) {
    // One create makes one token: the others are someone else's (another client, a person at the
    // same moment), and ending the wrong one would break what uses it.
    throw new ToolError(
      `No usable reply came to the create, and ${system} holds ${orphans.length} new tokens that match it (${orphans.join(", ")}): one is this create's, whose secret no one has, and the others someone else's, so none was ${ended}. A person should ${end.verb} the one nothing uses before another is created.`,
    );
  }
  const kept: string[] = [];
  for (const tokenId of orphans) {
    try {
      await end.run(tokenId);
      log.warn(`${ended} a token whose create got no usable reply`, { tokenId });
    } catch {
      kept.push(tokenId);
    }
  }
  if (kept.length > 0) {
    const ending = end.verb === "delete" ? "deleting" : "revoking";
    throw new ToolError(
      `No usable reply came to the create, but ${system} made token ${kept.join(", ")}, whose secret no one has, and ${ending} it failed. ${end.verb === "delete" ? "Delete" : "Revoke"} ${kept.join(", ")} with ${end.tool} before creating another.`,
    );
  }
  throw new ToolError(
    `No usable reply came to the create; ${system} had made token ${orphans.join(", ")}, whose secret no one received, so it was ${ended} again. Nothing is left behind: create the token again.`,
  );
}
