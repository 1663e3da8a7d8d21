import { BackendError, mayHaveAppliedText } from "../../core/errors.js";

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
  | "cancelled"
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
  /** validation: the request fields VMS named in its error body (names only, from a fixed pattern). */
  fields?: string[];
  /** rate-limited: how long VMS asked us to wait. */
  retryAfterMs?: number;
  /** At most 120 printable ASCII characters of VMS's own message, for logs; untrusted. */
  hint?: string;
}

export class VastError extends BackendError {
  override readonly name = "VastError";

  constructor(
    readonly kind: VastErrorKind,
    message: string,
    readonly details: VastErrorDetails = {},
  ) {
    super(message);
  }

  /** The client's messages are specific (which credential, which path); the kind adds what to do. */
  advice(): string {
    if (this.details.mayHaveApplied) return `${this.message} ${mayHaveAppliedText("VAST VMS")}`;
    const rights = this.kind === "forbidden" && this.details.right ? ` The credential's user needs the Security realm's ${this.details.right} right.` : "";
    const wait = this.details.retryAfterMs === undefined ? "" : ` VMS asked to wait ${Math.ceil(this.details.retryAfterMs / 1000)} s.`;
    return `${this.message}${rights} ${KIND_TEXT[this.kind]}${wait}`.trimEnd();
  }
}

const KIND_TEXT: Record<VastErrorKind, string> = {
  unauthorized: "The operator should check VAST_API_TOKEN (or VAST_USERNAME and its password).",
  forbidden: "VMS denied this action to the server's credential; the operator can grant the right or configure another credential.",
  "not-found": "",
  validation: "Check the arguments (a name VMS accepts, an expiry within the cluster's maximum).",
  "cap-reached": "Revoke one of the owner's tokens with revoke_token first. Nothing was created.",
  "rate-limited": "Try again later.",
  upstream: "Try again later.",
  "bad-reply": "",
  timeout: "Try again later; the operator can raise SN_MCP_TIMEOUT_MS.",
  network: "Check the network and VAST_URL, then try again.",
  cancelled: "The client cancelled the call, so this server stopped there.",
  redirect: "",
};

export function isVastError(error: unknown, kind?: VastErrorKind): error is VastError {
  return error instanceof VastError && (kind === undefined || error.kind === kind);
}
