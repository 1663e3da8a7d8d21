import type { Token } from "../../src/backends/solarnetwork/model.js";

/** A data token as SolarNetwork returns it, with this policy and status. */
export function dataToken(policy?: Token["policy"], status: Token["status"] = "Active"): Token {
  return { id: "hNAdH.aXHaEqFossMwT8", created: "2026-01-01T00:00:00Z", userId: 1, status, type: "ReadNodeData", expired: false, policy };
}
