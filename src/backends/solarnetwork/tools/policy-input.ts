import type { Policy } from "../model.js";
import { policyFromInput, type PolicyInput } from "../policy.js";
import { UserInputError } from "../../../core/errors.js";
import { resolvedExpiry, type ExpiryInput } from "../../../tools/expiry-input.js";

/** The policy a create or update call asks for, with its expiry resolved to epoch milliseconds. */
export function requestedPolicy(input: PolicyInput & ExpiryInput, now: number): Policy {
  if (input.minAggregation && input.aggregations) {
    throw new UserInputError("aggregations", "give either minAggregation or aggregations, not both.");
  }
  if (input.minLocationPrecision && input.locationPrecisions) {
    throw new UserInputError("locationPrecisions", "give either minLocationPrecision or locationPrecisions, not both.");
  }
  return policyFromInput(input, resolvedExpiry(input, now));
}
