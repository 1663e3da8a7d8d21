/**
 * Typed failures of a VAST VMS call. Messages are ours, never VMS's text (untrusted, and it may
 * echo request data); at most a short sanitised `hint` of it is kept, for the operator's eyes.
 */

export type VastErrorKind =
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "validation"
  | "cap-reached"
  | "rate-limited"
  | "upstream"
  | "bad-reply"
  | "timeout"
  | "network"
  | "redirect";

/** The Security realm rights that govern API tokens. */
export type SecurityRight = "View" | "Create" | "Edit" | "Delete";

export interface VastErrorDetails {
  status?: number;
  /** The request may have reached VMS and been applied although no usable reply came back. */
  mayHaveApplied?: boolean;
  /** forbidden: the Security realm right the credential's owner lacks for this action. */
  right?: SecurityRight;
  /** not-found: VMS has no such API path at all (an HTML 404), rather than no such token. */
  unknownPath?: boolean;
  /** rate-limited: how long VMS asked us to wait. */
  retryAfterMs?: number;
  /** At most 120 printable ASCII characters of VMS's own message, for logs; untrusted. */
  hint?: string;
}

export class VastError extends Error {
  override readonly name = "VastError";

  constructor(
    readonly kind: VastErrorKind,
    message: string,
    readonly details: VastErrorDetails = {},
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

export function isVastError(error: unknown, kind?: VastErrorKind): error is VastError {
  return error instanceof VastError && (kind === undefined || error.kind === kind);
}
