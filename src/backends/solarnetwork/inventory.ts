import { readProvenance, withoutMarker } from "../../core/provenance.js";
import { sameLifetime, type TokenInventory, type TokenSummary } from "../../core/token.js";
import type { Token } from "./model.js";
import type { TokenService } from "./service.js";

/** SolarNetwork's tokens in neutral terms. Retiring one disables it: an owner can enable it again. */
export function solarNetworkInventory(tokens: TokenService): TokenInventory {
  return {
    async summaries(signal) {
      return (await tokens.list({}, signal)).map(summaryOf);
    },
    retire: (tokenId, signal) => tokens.setStatus(tokenId, "Disabled", signal),
    // Every token of the account is the account's own.
    ownerAllowed: async () => true,
    successorArguments(token) {
      const { notAfter: _expiry, ...policy } = (token.policy ?? {}) as Record<string, unknown>;
      const expiresIn = sameLifetime(token);
      return {
        type: token.type,
        ...(token.name === undefined ? {} : { name: token.name }),
        ...(withoutMarker(token.description) === undefined ? {} : { description: withoutMarker(token.description) }),
        ...policy,
        ...(expiresIn === undefined ? {} : { expiresIn }),
      };
    },
  };
}

export function summaryOf(token: Token): TokenSummary {
  const { notAfter, ...policy } = token.policy ?? {};
  const provenance = readProvenance(token.description);
  return {
    id: token.id,
    ...(token.name === undefined ? {} : { name: token.name }),
    ...(token.description === undefined ? {} : { description: token.description }),
    owner: `user ${token.userId}`,
    type: token.type,
    created: token.created,
    ...(notAfter === undefined ? {} : { expires: notAfter }),
    status: token.expired ? "Expired" : token.status,
    ...(token.policy === undefined ? {} : { policy }),
    ...(provenance ? { provenance } : {}),
  };
}
