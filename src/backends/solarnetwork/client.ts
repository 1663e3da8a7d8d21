import { createHash } from "node:crypto";
import { networkCause } from "../../core/network-cause.js";
import type { Dispatcher } from "undici";
import { delay, failedBeforeSending, headerValue, mayRetry, retryAfterMs, type TransportOptions } from "../../core/transport.js";
import { ConnectionSlots } from "./connection-slots.js";
import { SolarNetworkError } from "./errors.js";
import type { SigningKeySource } from "./signing-key.js";
import { EMPTY_SHA256_HEX, httpDate, sign, uriEncode, type SignableRequest } from "./snws2.js";

/** A signed SolarNetwork HTTP client: one kept-alive pool, timeouts, typed errors, skew correction. */

export type Parameters = ReadonlyArray<readonly [string, string]>;

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute path on the SolarNetwork host, e.g. `/solaruser/api/v1/sec/user/auth-tokens`. */
  path: string;
  query?: Parameters;
  /** Sent as an `application/x-www-form-urlencoded` body. */
  form?: Parameters;
  /** Sent as an `application/json` body. */
  json?: unknown;
  signal?: AbortSignal;
}

export interface SolarNetworkClientOptions extends TransportOptions {
  /** Scheme, host and optional port. */
  baseUrl: string;
  tokenId: string;
  keys: SigningKeySource;
  /** How long a request may wait for a free connection before it is given up unsent (default `timeoutMs`). */
  queueTimeoutMs?: number;
}

/** Connections to SolarNetwork at once. */
const CONNECTIONS = 4;

const JSON_TYPE = "application/json;charset=UTF-8";
const FORM_TYPE = "application/x-www-form-urlencoded;charset=UTF-8";
const SKEW_MESSAGE = /date skew/i;
/** The most a server clock may differ from ours and still be adopted. */
const MAX_CLOCK_OFFSET_MS = 60 * 60_000;
const UPSTREAM_CODE = /^[A-Z][A-Z_.]{0,63}$/;
const CANCELLED = () => new SolarNetworkError("cancelled", "The request was cancelled.");

interface Envelope {
  success?: boolean;
  code?: unknown;
  message?: unknown;
  data?: unknown;
}

export class SolarNetworkClient {
  readonly #origin: URL;
  readonly #tokenId: string;
  readonly #keys: SigningKeySource;
  readonly #timeoutMs: number;
  readonly #clock: () => number;
  readonly #maxRetries: number;
  readonly #retryDelayMs: (attempt: number) => number;
  /**
   * Begun as the client is made, not at the first request: loading undici takes about 100 ms, which
   * then passes while the stdio front answers the session's start (the client is made once the
   * front has answered) and the person reads the tools, not in the first call.
   */
  #dispatcher: Promise<Dispatcher> | undefined;
  readonly #slots = new ConnectionSlots(CONNECTIONS);
  readonly #queueTimeoutMs: number;
  /** Server clock minus ours, learnt from a skew rejection. */
  #clockOffsetMs = 0;

  constructor(options: SolarNetworkClientOptions) {
    this.#origin = new URL(options.baseUrl);
    this.#tokenId = options.tokenId;
    this.#keys = options.keys;
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock ?? Date.now;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#retryDelayMs = options.retryDelayMs ?? ((attempt) => 200 * 2 ** (attempt - 1) * (0.5 + Math.random()));
    this.#dispatcher = options.dispatcher && Promise.resolve(options.dispatcher);
    this.#queueTimeoutMs = options.queueTimeoutMs ?? options.timeoutMs;
    // A failed load is not kept: the first request tries again and reports it.
    this.#pool().catch(() => undefined);
  }

  #pool(): Promise<Dispatcher> {
    this.#dispatcher ??= import("undici").then(
      ({ Pool }) => new Pool(this.#origin.origin, { connections: CONNECTIONS, keepAliveTimeout: 30_000, pipelining: 1 }),
      (error: unknown) => {
        this.#dispatcher = undefined; // not cached: the next request tries again
        throw error;
      },
    );
    return this.#dispatcher;
  }

  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  /** Sends a signed request and returns the envelope's `data` (undefined when there is none). */
  async call<T = unknown>(request: ApiRequest): Promise<T | undefined> {
    let skewCorrected = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#send(request)) as T | undefined;
      } catch (error) {
        if (!(error instanceof SolarNetworkError)) throw error;
        if (error instanceof SkewRejection) {
          const offset = error.serverTime - this.#clock();
          // A reply's Date is not trusted beyond this: a broken or hostile upstream must not move our clock by days.
          if (skewCorrected || Math.abs(offset) > MAX_CLOCK_OFFSET_MS) throw error.asAuthError();
          skewCorrected = true;
          this.#clockOffsetMs = offset;
          attempt--;
          continue;
        }
        if (!mayRetry(request.method, error.kind, attempt, this.#maxRetries)) throw error;
        await delay(error.details.retryAfterMs ?? this.#retryDelayMs(attempt + 1), request.signal, CANCELLED);
      }
    }
  }

  async close(): Promise<void> {
    // A pool that failed to load holds nothing to close.
    await (await this.#dispatcher?.catch(() => undefined))?.close();
  }

  async #send(request: ApiRequest): Promise<unknown> {
    if (request.signal?.aborted) throw new SolarNetworkError("cancelled", "The request was cancelled.");
    const release = await this.#slots.acquire(
      this.#queueTimeoutMs,
      () =>
        request.signal?.aborted
          ? new SolarNetworkError("cancelled", "The request was cancelled before it was sent.")
          : new SolarNetworkError("busy", "SolarNetwork is busy: the request waited for a free connection and was never sent."),
      request.signal,
    );
    try {
      return await this.#sendHoldingSlot(request);
    } finally {
      release();
    }
  }

  async #sendHoldingSlot(request: ApiRequest): Promise<unknown> {
    const date = new Date(Math.floor((this.#clock() + this.#clockOffsetMs) / 1000) * 1000);
    const { headers, body, bodySha256Hex } = encodeBody(request);
    headers["host"] = this.#origin.host;
    headers["x-sn-date"] = httpDate(date);
    const signable: SignableRequest = {
      method: request.method,
      path: request.path,
      parameters: [...(request.query ?? []), ...(request.form ?? [])],
      headers,
      bodySha256Hex,
    };
    const authorization = sign(signable, this.#tokenId, this.#keys.keyFor(date), date);
    const query = encodeParameters(request.query ?? []);

    // The caller's cancellation stops a write only before it is sent: cut off mid-flight, a write
    // SolarNetwork may already have applied has an unknown outcome (a new token, its secret lost).
    // Sent, it finishes or times out.
    const cancel = request.method === "GET" ? request.signal : undefined;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = cancel ? AbortSignal.any([cancel, timeout]) : timeout;
    const sent = { ...request, signal: cancel };
    let response: Dispatcher.ResponseData;
    try {
      const dispatcher = await this.#pool();
      response = await dispatcher.request({
        origin: this.#origin.origin,
        method: request.method,
        path: query ? `${request.path}?${query}` : request.path,
        headers: { ...headers, authorization, accept: "application/json" },
        body,
        signal,
      });
    } catch (error) {
      throw transportError(error, sent, timeout, { replyStarted: false });
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw transportError(error, sent, timeout, { replyStarted: true });
    }
    try {
      return decodeReply(response.statusCode, response.headers, text, this.#clock());
    } catch (error) {
      // A write answered by a failure or an unreadable reply may still have been applied.
      if (error instanceof SolarNetworkError && request.method !== "GET" && outcomeUnknown(error)) {
        error.details.mayHaveApplied = true;
      }
      throw error;
    }
  }
}

/** Failures after which SolarNetwork may have acted: a server error or a reply we could not read. */
function outcomeUnknown(error: SolarNetworkError): boolean {
  return error.kind === "upstream" || error.kind === "bad-reply" || error.kind === "rate-limited";
}

function encodeParameters(parameters: Parameters): string {
  return parameters.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join("&");
}

function encodeBody(request: ApiRequest): {
  headers: Record<string, string>;
  body: string | undefined;
  bodySha256Hex: string;
} {
  if (request.form) {
    return {
      headers: { "content-type": FORM_TYPE },
      body: encodeParameters(request.form),
      bodySha256Hex: EMPTY_SHA256_HEX,
    };
  }
  if (request.json !== undefined) {
    const body = JSON.stringify(request.json);
    const digest = createHash("sha256").update(body, "utf8").digest();
    return {
      headers: { "content-type": JSON_TYPE, digest: `sha-256=${digest.toString("base64")}` },
      body,
      bodySha256Hex: digest.toString("hex"),
    };
  }
  return { headers: {}, body: undefined, bodySha256Hex: EMPTY_SHA256_HEX };
}

/** A 401/403 caused by our clock: retried once with the server's time. */
class SkewRejection extends SolarNetworkError {
  constructor(
    readonly serverTime: number,
    status: number,
  ) {
    super("unauthorized", "SolarNetwork rejected the request date as too far from its clock.", { status });
  }

  asAuthError(): SolarNetworkError {
    return new SolarNetworkError(
      "unauthorized",
      "SolarNetwork rejected the request date as too far from its clock, and its clock could not be followed (more than an hour off, or still refused). Check this machine's clock.",
      { status: this.status },
    );
  }
}

function transportError(
  error: unknown,
  request: ApiRequest,
  timeout: AbortSignal,
  { replyStarted }: { replyStarted: boolean },
): SolarNetworkError {
  const cause = networkCause(error, SOLARNETWORK_VARIABLES);
  // A request with a body may have been applied when the connection broke before the reply.
  const mayHaveApplied = request.method !== "GET" && (replyStarted || !failedBeforeSending(error));
  if (timeout.aborted) {
    return new SolarNetworkError("timeout", "SolarNetwork did not answer in time.", { mayHaveApplied });
  }
  if (request.signal?.aborted) {
    return new SolarNetworkError("cancelled", "The request was cancelled.", { mayHaveApplied });
  }
  const why = cause ? `: ${cause.text}; ${cause.fix}.` : " (the connection failed or was cut).";
  return new SolarNetworkError("network", `Could not reach SolarNetwork${why}`, { mayHaveApplied });
}

/** The variables a network failure's fix names. */
export const SOLARNETWORK_VARIABLES = { url: "SN_URL", ca: ["NODE_EXTRA_CA_CERTS"] } as const;

/** `now`: epoch ms, to read an HTTP-date Retry-After against. */
function decodeReply(status: number, headers: Dispatcher.ResponseData["headers"], text: string, now: number): unknown {
  const envelope = parseEnvelope(text);
  const upstreamCode = typeof envelope?.code === "string" && UPSTREAM_CODE.test(envelope.code) ? envelope.code : undefined;
  const details = { status, upstreamCode };

  if (status >= 200 && status < 300) {
    if (!envelope) throw new SolarNetworkError("bad-reply", "SolarNetwork sent a reply that is not valid JSON.", details);
    if (envelope.success !== true) {
      throw new SolarNetworkError("upstream", "SolarNetwork reported that the request did not succeed.", details);
    }
    return envelope.data ?? undefined;
  }
  if (status === 401 || status === 403) {
    const message = [headerValue(headers, "x-sn-errormessage"), envelope?.message].filter((m) => typeof m === "string");
    const serverDate = Date.parse(headerValue(headers, "date") ?? "");
    if (message.some((m) => SKEW_MESSAGE.test(m as string)) && Number.isFinite(serverDate)) {
      throw new SkewRejection(serverDate, status);
    }
    return rejectAccess(status, upstreamCode, message.join(" "));
  }
  if (status === 404) throw new SolarNetworkError("not-found", "SolarNetwork has no such resource.", details);
  if (status === 400 || status === 422) {
    throw new SolarNetworkError("validation", "SolarNetwork rejected the request's arguments as invalid.", details);
  }
  if (status === 429) {
    throw new SolarNetworkError("rate-limited", "SolarNetwork asked us to slow down.", { ...details, retryAfterMs: retryAfterMs(headerValue(headers, "retry-after"), now) });
  }
  if (status >= 500) throw new SolarNetworkError("upstream", `SolarNetwork failed with HTTP ${status}.`, details);
  throw new SolarNetworkError("upstream", `SolarNetwork answered with unexpected HTTP ${status}.`, details);
}

function rejectAccess(status: number, upstreamCode: string | undefined, message: string): never {
  const details = { status, upstreamCode };
  if (upstreamCode === "UNKNOWN_OBJECT" || /UNKNOWN_OBJECT/.test(message)) {
    throw new SolarNetworkError("not-found", "SolarNetwork has no such token in this account.", details);
  }
  if (status === 401 && /expired/i.test(message)) {
    throw new SolarNetworkError("unauthorized", "The configured SolarNetwork token has expired.", details);
  }
  if (upstreamCode === "ACCESS_DENIED" || /ACCESS_DENIED|access denied/i.test(message)) {
    throw new SolarNetworkError("forbidden", "SolarNetwork denied access to this action.", details);
  }
  throw new SolarNetworkError(
    "unauthorized",
    "SolarNetwork did not accept the configured credentials (unknown, disabled or wrong secret).",
    details,
  );
}

function parseEnvelope(text: string): Envelope | undefined {
  if (text === "") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

