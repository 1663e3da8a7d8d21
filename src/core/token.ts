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
}

export type NeutralStatus = "Active" | "Disabled" | "Revoked" | "Expired";

/** One token in backend-neutral terms: times are ISO 8601 UTC. */
export interface TokenSummary {
  id: string;
  name?: string;
  description?: string;
  owner: string;
  type?: string;
  created: string;
  expires?: string;
  lastUsed?: string;
  status: NeutralStatus;
  policy?: unknown;
}
