import type { z } from "zod";
import { SolarNetworkError } from "../solarnetwork/errors.js";
import { SigningKeyExpiredError } from "../solarnetwork/signing-key.js";

/** The model-facing text of every failure, written from our own templates. */

/** A failure whose message we wrote for the model: shown as it is. */
export class ToolError extends Error {
  override readonly name: string = "ToolError";
}

export class UserInputError extends ToolError {
  override readonly name = "UserInputError";

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid argument "${field}": ${message}`);
  }
}

/** A multi-step change that stopped part-way: what was applied stays applied. */
export class PartialFailureError extends ToolError {
  override readonly name = "PartialFailureError";

  constructor(
    readonly applied: readonly string[],
    readonly notApplied: readonly string[],
    readonly failedStep: string,
    override readonly cause: unknown,
  ) {
    super(
      `${failedStep} failed: ${errorText(cause)} Applied: ${applied.join(", ") || "nothing"}. ` +
        `Not applied: ${notApplied.join(", ")}. Call list_tokens to see the token's current state before retrying.`,
    );
  }
}

export function invalidArgumentsText(error: z.ZodError, args: unknown): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `Unknown argument${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}: remove ${issue.keys.length > 1 ? "them" : "it"}.`;
    }
    const field = issue.path.length > 0 ? issue.path.join(".") : "arguments";
    return `Invalid argument "${field}": ${isMissing(args, issue.path) ? "is required." : issueMessage(issue)}`;
  });
  return `${lines.join("\n")}\nNothing was sent to SolarNetwork.`;
}

function isMissing(args: unknown, path: readonly PropertyKey[]): boolean {
  let value = args;
  for (const key of path) {
    if (value === null || typeof value !== "object") return false;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value" && "values" in issue) {
    return `must be one of ${issue.values.map(String).join(", ")}.`;
  }
  return issue.message.endsWith(".") ? issue.message : `${issue.message}.`;
}

const KIND_TEXT: Record<SolarNetworkError["kind"], string> = {
  unauthorized: "The operator should check SN_TOKEN and its secret.",
  forbidden:
    "SolarNetwork denied this action. Managing tokens needs an unrestricted User token (no node, source, API path, metadata or aggregation restrictions in its policy); the operator should configure one as SN_TOKEN.",
  "not-found":
    "SolarNetwork reported that something the request names does not exist in this account (a token ID, or a node ID in the policy).",
  validation: "SolarNetwork rejected the arguments as invalid.",
  "rate-limited": "SolarNetwork is limiting requests. Try again later.",
  upstream: "SolarNetwork failed to complete the request. Try again later.",
  "bad-reply": "SolarNetwork sent a reply this server could not read.",
  timeout: "Try again later; the operator can raise SN_MCP_TIMEOUT_MS.",
  busy: "Nothing was changed; it is safe to try again in a moment.",
  network: "Check the network and SN_URL, then try again.",
};

/** A write whose outcome is unknown: never "try again", which could make it twice. */
const MAY_HAVE_APPLIED =
  "The request may have reached SolarNetwork and been applied although no usable reply came back. Do not repeat it: call list_tokens to see the token's state first.";

/** Failures we anticipate (bad input, SolarNetwork saying no); anything else is a bug worth a stack trace. */
export function isExpectedFailure(error: unknown): boolean {
  return error instanceof ToolError || error instanceof SolarNetworkError;
}

export function errorText(error: unknown): string {
  // Complete in itself: SN_TOKEN's secret is not what the operator needs to check.
  if (error instanceof ToolError || error instanceof SigningKeyExpiredError) return error.message;
  if (error instanceof SolarNetworkError) {
    // Our client's messages are specific (expired credential, timeout); the kind adds what to do.
    if (error.details.mayHaveApplied) return `${error.message} ${MAY_HAVE_APPLIED}`;
    const specific = error.kind === "unauthorized" || error.kind === "timeout" || error.kind === "network" || error.kind === "busy";
    let text = specific ? `${error.message} ${KIND_TEXT[error.kind]}` : KIND_TEXT[error.kind];
    if (error.details.retryAfterMs !== undefined) {
      text += ` SolarNetwork asked to wait ${Math.ceil(error.details.retryAfterMs / 1000)} s.`;
    }
    return text;
  }
  return "An unexpected error occurred inside the server; it has been logged.";
}
