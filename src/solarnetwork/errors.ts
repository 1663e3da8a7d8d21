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
  | "network";

export class SolarNetworkError extends Error {
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

  get status(): number | undefined {
    return this.details.status;
  }
}

export function isSolarNetworkError(error: unknown, kind?: SolarNetworkErrorKind): error is SolarNetworkError {
  return error instanceof SolarNetworkError && (kind === undefined || error.kind === kind);
}
