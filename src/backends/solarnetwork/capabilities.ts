import type { BackendCapabilities } from "../../core/token.js";

/** What SolarNetwork tokens can do, as the tools every backend shares read it. */
export const SOLARNETWORK_CAPABILITIES: BackendCapabilities = {
  ends: "delete",
  canDisable: true,
  hasPolicy: true,
  hasDescription: true,
  expiryCountsFrom: "now",
  perOwnerCap: false,
};
