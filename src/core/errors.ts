/**
 * The failures a tool call can end in, each with text we wrote for the model: what went wrong,
 * which field or rule, what to do. Upstream text never reaches it.
 */

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

/** An operator's rule said no; the message names the rule and the setting that changes it. */
export class RefusedError extends ToolError {
  override readonly name: string = "RefusedError";

  constructor(
    readonly rule: string,
    message: string,
    text = `Refused by the operator's rule ${rule}: ${message}`,
  ) {
    super(text);
  }
}

/** The person said no to a confirmation question: their answer, not an operator's rule (audited as refused all the same). */
export class DeclinedError extends RefusedError {
  override readonly name = "DeclinedError";

  constructor() {
    super("confirmation", "", "The person did not allow this change, so nothing was changed.");
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

export interface BackendErrorDetails {
  status?: number;
  /** The request may have reached the backend and been applied although no usable reply came back. */
  mayHaveApplied?: boolean;
  /** How long the backend asked us to wait (429 `Retry-After`). */
  retryAfterMs?: number;
}

/** A typed failure of a backend's API call. Its message is ours, never the backend's text. */
export abstract class BackendError extends Error {
  abstract readonly kind: string;
  abstract readonly details: BackendErrorDetails;

  /** The whole model-facing text: what happened and what to do about it. */
  abstract advice(): string;

  get status(): number | undefined {
    return this.details.status;
  }
}

/** A write whose outcome is unknown: never "try again", which could make it twice. */
export function mayHaveAppliedText(backend: string): string {
  return `The request may have reached ${backend} and been applied although no usable reply came back. Do not repeat it: call list_tokens to see the token's state first.`;
}

/** Failures we anticipate (bad input, a backend saying no); anything else is a bug worth a stack trace. */
export function isExpectedFailure(error: unknown): boolean {
  return error instanceof ToolError || error instanceof BackendError;
}

export function errorText(error: unknown): string {
  if (error instanceof ToolError) return error.message;
  if (error instanceof BackendError) return error.advice();
  return "An unexpected error occurred inside the server; it has been logged.";
}

export function mayHaveApplied(error: unknown): boolean {
  return error instanceof BackendError && error.details.mayHaveApplied === true;
}
