import { BackendError, mayHaveAppliedText } from "../../core/errors.js";

/**
 * Typed failures of a SolarNetwork call. Messages are ours, never SolarNetwork's text (which is
 * untrusted and may echo request data); `upstreamCode` keeps only a short machine code.
 */

export type SolarNetworkErrorKind =
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "validation"
  | "rate-limited"
  | "upstream"
  | "bad-reply"
  | "timeout"
  | "busy"
  | "network"
  | "cancelled";

export class SolarNetworkError extends BackendError {
  override readonly name = "SolarNetworkError";

  constructor(
    readonly kind: SolarNetworkErrorKind,
    message: string,
    readonly details: {
      status?: number;
      /** A short code such as `ACCESS_DENIED`, only when it matches `[A-Z_.]+`. */
      upstreamCode?: string;
      /** When SolarNetwork asked us to wait (429 `Retry-After`). */
      retryAfterMs?: number;
      /** The request may have reached SolarNetwork and been applied although no reply came back. */
      mayHaveApplied?: boolean;
    } = {},
  ) {
    super(message);
  }

  advice(): string {
    // Our client's messages are specific (expired credential, timeout); the kind adds what to do.
    if (this.details.mayHaveApplied) return `${this.message} ${mayHaveAppliedText("SolarNetwork")}`;
    const specific = this.kind === "unauthorized" || this.kind === "timeout" || this.kind === "network" || this.kind === "busy" || this.kind === "cancelled";
    let text = specific ? `${this.message} ${KIND_TEXT[this.kind]}` : KIND_TEXT[this.kind];
    if (this.details.retryAfterMs !== undefined) {
      text += ` SolarNetwork asked to wait ${Math.ceil(this.details.retryAfterMs / 1000)} s.`;
    }
    return text;
  }
}

const KIND_TEXT: Record<SolarNetworkErrorKind, string> = {
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
  cancelled: "The client cancelled the call, so this server stopped there.",
};

export function isSolarNetworkError(error: unknown, kind?: SolarNetworkErrorKind): error is SolarNetworkError {
  return error instanceof SolarNetworkError && (kind === undefined || error.kind === kind);
}
