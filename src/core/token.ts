import type { Provenance } from "./provenance.js";

/**
 * What every backend's tokens have in common, and what sets the backends apart. Tools that work
 * across backends (and the operator's rules) read these; each backend keeps its own full shape.
 */

export interface BackendCapabilities {
  /** How a token ends for good: SolarNetwork deletes it, VMS revokes it (and keeps it listed). */
  ends: "delete" | "revoke";
  /** Whether a token can be switched off and on again. */
  canDisable: boolean;
  /** Whether a token carries a scope of its own (SolarNetwork's security policy). */
  hasPolicy: boolean;
  hasDescription: boolean;
  /** What an expiry is counted from on the wire: an instant (SolarNetwork) or the token's creation (VMS). */
  expiryCountsFrom: "now" | "creation";
  /** Whether the backend caps valid tokens per owner (VMS: 5 by default). */
  perOwnerCap: boolean;
  /** The operator's setting naming the owners whose tokens this server may write, where the backend has owners to choose. */
  ownersSetting?: string;
}

export type NeutralStatus = "Active" | "Disabled" | "Revoked" | "Expired";

/** One token in backend-neutral terms: times are ISO 8601 UTC. */
export interface TokenSummary {
  id: string;
  name?: string;
  description?: string;
  /** Undefined: the backend did not say. */
  owner?: string;
  type?: string;
  created: string;
  expires?: string;
  lastUsed?: string;
  status: NeutralStatus;
  /** SolarNetwork's security policy, as list_tokens shows it. */
  policy?: TokenSummaryPolicy;
  /** Read from the token's provenance marker; undefined when it has none. */
  provenance?: Provenance;
}

/** The parts of a policy the review rules read. */
export interface TokenSummaryPolicy {
  nodeIds?: readonly number[];
  sourceIds?: readonly string[];
  apiPaths?: readonly string[];
  refreshAllowed?: boolean;
  [field: string]: unknown;
}

/** The `expiresIn` that gives a successor the token's own lifetime (expiry − creation); undefined for none. */
export function sameLifetime(token: Pick<TokenSummary, "created" | "expires">): string | undefined {
  const seconds = token.expires === undefined ? 0 : Math.floor((Date.parse(token.expires) - Date.parse(token.created)) / 1000);
  return seconds > 0 ? `${seconds}s` : undefined;
}

/**
 * A backend's tokens in neutral terms, for the tools that work the same on every backend
 * (review, retire, rotate): each backend maps its own shape onto this.
 */
export interface TokenInventory {
  /** Every token the server can see; revoked ones left out (they can do nothing more). */
  summaries(signal?: AbortSignal): Promise<TokenSummary[]>;
  /** Ends a token's use the mildest way the backend has: SolarNetwork disables (reversible), VMS revokes. */
  retire(tokenId: string, signal?: AbortSignal): Promise<void>;
  /** The arguments of create_token that make a successor: same type, scope, name (without its marker) and lifetime. */
  successorArguments(token: TokenSummary): Record<string, unknown>;
  /** Whether the operator lets this server write tokens of this owner (VAST_ALLOWED_OWNERS). */
  ownerAllowed(owner: string | undefined, signal?: AbortSignal): Promise<boolean>;
  /** The backend's cap on valid tokens per owner, where it has one. */
  maxTokensPerOwner?(signal?: AbortSignal): Promise<number>;
}
