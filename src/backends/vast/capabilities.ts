import type { BackendCapabilities } from "../../core/token.js";

/** What VMS API tokens can do, as the tools every backend shares read it. */
export const VAST_CAPABILITIES: BackendCapabilities = {
  ends: "revoke",
  canDisable: false,
  hasPolicy: false,
  hasDescription: false,
  expiryCountsFrom: "creation",
  perOwnerCap: true,
};
