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
export async function ownerAllowed(tokens: VastTokens, owner: string, signal?: AbortSignal): Promise<boolean> {
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
