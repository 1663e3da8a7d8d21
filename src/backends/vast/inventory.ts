import { ToolError } from "../../core/errors.js";
import { readProvenance, withoutMarker } from "../../core/provenance.js";
import { sameLifetime, type TokenInventory, type TokenSummary } from "../../core/token.js";
import type { VastToken, VastTokens } from "./tokens.js";

/** VMS tokens in neutral terms. Retiring one revokes it, for good: VMS has no disable. */
export function vastInventory(tokens: VastTokens): TokenInventory {
  return {
    async summaries(signal) {
      return (await tokens.list({ includeRevoked: false }, signal)).map(summaryOf);
    },
    retire: (tokenId, signal) => tokens.revoke(tokenId, signal),
    ownerAllowed: (owner, signal) => ownerAllowed(tokens, owner, signal),
    successorArguments(token) {
      if (token.owner === undefined) {
        throw new ToolError(`VMS does not say who owns token ${token.id}, so a successor for the same owner cannot be made here; create one with create_token, naming the owner. Nothing was changed.`);
      }
      const expiresIn = sameLifetime(token);
      const name = withoutMarker(token.name);
      return {
        ...(name === undefined ? {} : { name }),
        owner: token.owner,
        ...(expiresIn === undefined ? {} : { expiresIn }),
      };
    },
    maxTokensPerOwner: (signal) => tokens.maxTokensPerUser(signal),
  };
}

/** The server's own user, and the owners of VAST_ALLOWED_OWNERS: the only ones whose tokens this server writes. */
export async function ownerAllowed(tokens: VastTokens, owner: string | undefined, signal?: AbortSignal): Promise<boolean> {
  // An owner VMS does not name cannot be shown to be one of them.
  if (owner === undefined) return false;
  return tokens.allowedOwners.includes(owner) || owner === (await tokens.ownUser(signal));
}

export function summaryOf(token: VastToken): TokenSummary {
  const provenance = readProvenance(token.name);
  return {
    id: token.id,
    name: token.name,
    owner: token.owner,
    created: token.created,
    ...(token.expires === undefined ? {} : { expires: token.expires }),
    ...(token.lastUsed === undefined ? {} : { lastUsed: token.lastUsed }),
    status: token.status,
    ...(provenance ? { provenance } : {}),
  };
}
