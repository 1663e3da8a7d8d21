import type { Dispatcher } from "undici";
import { networkCause } from "../../core/network-cause.js";
import type { VastConfig, VastCredential, VastTlsConfig } from "./config.js";
import { delay, failedBeforeSending, headerValue, mayRetry, retryAfterMs, type TransportOptions } from "../../core/transport.js";
import { VastError, type SecurityRight, type VastErrorDetails } from "./errors.js";

/**
 * The VAST VMS HTTP client: one kept-alive pool, the server's own credential (API token, Basic or
 * JWT sessions renewed as needed), timeouts, retries of GETs only, typed errors, and redirects never
 * followed (a redirected POST becomes a GET: a create would silently turn into a list).
 *
 * A create is never sent twice. Its JWT session is renewed before sending when close to expiry,
 * and a 401/403 reply to it is reported (VMS rejects authentication before acting, so it was not
 * applied), not retried.
 *
 * A 403 means a bad credential or an RBAC denial. A body carrying `permission_denied` (the code
 * VMS's framework gives a denial, which VAST's Go client relies on) is a denial at once. Otherwise
 * the client checks the credential with `GET apitokens/` (always allowed for one's own tokens):
 * failing, the credential is unusable (`unauthorized`); passing, the action was denied
 * (`forbidden`, naming the right).
 */

export type VastQuery = ReadonlyArray<readonly [string, string]>;

export interface VastRequest {
  method: "GET" | "POST" | "PATCH";
  /** Relative to `/api/<version>/`, ending in `/`: build it with `vastPath`. */
  path: string;
  query?: VastQuery;
  /** Sent as an `application/json` body. */
  json?: unknown;
  /** A create (`POST apitokens/`): never re-sent, nor its session renewed after sending. */
  create?: boolean;
  /** The Security realm right that a 403 RBAC denial of this request names. */
  right?: SecurityRight;
  /** Cancels a GET at any time, a write only before it is sent. */
  signal?: AbortSignal;
}

export interface VastReply {
  status: number;
  /** The decoded JSON body; undefined when the body is empty. */
  body: unknown;
}

export interface VastClientOptions extends TransportOptions {
  /** Scheme, host and optional port. */
  baseUrl: string;
  /** `latest` or `v<N>`. */
  apiVersion: string;
  credential: VastCredential;
  /** How a password credential authenticates: JWT sessions (default) or Basic on every request. */
  passwordScheme?: "jwt" | "basic";
  /** Sent as `X-Tenant-Name` on every request when set. */
  tenant?: string;
  tls?: VastTlsConfig;
  /** A JWT access token this close to its expiry is renewed before use (default 60 s). */
  renewMarginMs?: number;
  /** How long a passed credential check is trusted when telling a 403 apart (default 30 s). */
  credentialCheckTtlMs?: number;
}

/** The client options a configuration gives; `timeoutMs` comes from the shared server settings. */
export function vastClientOptions(config: VastConfig, timeoutMs: number): VastClientOptions {
  return {
    baseUrl: config.baseUrl,
    apiVersion: config.apiVersion,
    credential: config.credential,
    tenant: config.tenant,
    tls: config.tls,
    timeoutMs,
  };
}

/** `vastPath("apitokens", id, "revoke")` → `apitokens/<id, percent-encoded>/revoke/`. */
export function vastPath(...segments: string[]): string {
  return `${segments.map((segment) => encodeURIComponent(segment)).join("/")}/`;
}

interface Session {
  access: string;
  refresh?: string;
  /** Epoch ms from the JWT's `exp`, when it has one. */
  accessExpiresAt?: number;
}

interface RawReply {
  status: number;
  headers: Dispatcher.ResponseData["headers"];
  text: string;
}

const JSON_TYPE = "application/json";
const CAP_MESSAGE = /max allowed api tokens/i;
const PERMISSION_DENIED = /permission_denied/;

export class VastClient {
  readonly #origin: URL;
  readonly #basePath: string;
  readonly #credential: VastCredential;
  readonly #scheme: "api-token" | "basic" | "jwt";
  readonly #tenant: string | undefined;
  readonly #tls: VastTlsConfig | undefined;
  readonly #timeoutMs: number;
  readonly #clock: () => number;
  readonly #maxRetries: number;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #renewMarginMs: number;
  readonly #credentialCheckTtlMs: number;
  /** Made at the first request: loading undici costs about 100 ms that start-up need not pay. */
  #dispatcher: Promise<Dispatcher> | undefined;
  #session: Session | undefined;
  /** Counts JWT sessions, so a request can tell whether its session was replaced meanwhile. */
  #sessionGeneration = 0;
  #renewing: Promise<void> | undefined;
  #credentialPassedUntil = 0;

  constructor(options: VastClientOptions) {
    this.#origin = new URL(options.baseUrl);
    this.#basePath = `/api/${options.apiVersion}/`;
    this.#credential = options.credential;
    this.#scheme = options.credential.kind === "api-token" ? "api-token" : (options.passwordScheme ?? "jwt");
    this.#tenant = options.tenant;
    this.#tls = options.tls;
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock ?? Date.now;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#retryDelayMs = options.retryDelayMs ?? ((attempt) => 200 * 2 ** (attempt - 1) * (0.5 + Math.random()));
    this.#renewMarginMs = options.renewMarginMs ?? 60_000;
    this.#credentialCheckTtlMs = options.credentialCheckTtlMs ?? 30_000;
    this.#dispatcher = options.dispatcher && Promise.resolve(options.dispatcher);
  }

  /** Sends a request; resolves with any 2xx reply, rejects with a `VastError` otherwise. */
  request(request: VastRequest): Promise<VastReply> {
    return this.#request(request, false);
  }

  /**
   * The request for a DRF envelope's `next` link. Only its path and query are used, on our own
   * origin: credentials never go to a host a reply names.
   */
  nextPage(next: string): Pick<VastRequest, "path" | "query"> {
    let url: URL;
    try {
      url = new URL(next, this.#origin);
    } catch {
      throw new VastError("bad-reply", "VMS sent a next-page link that is not a URL.");
    }
    if (!url.pathname.startsWith(this.#basePath) || !url.pathname.endsWith("/")) {
      throw new VastError("bad-reply", "VMS sent a next-page link outside its API.");
    }
    return { path: url.pathname.slice(this.#basePath.length), query: [...url.searchParams] };
  }

  async close(): Promise<void> {
    if (this.#dispatcher) await (await this.#dispatcher).close();
  }

  #pool(): Promise<Dispatcher> {
    this.#dispatcher ??= import("undici").then(
      ({ Pool }) =>
        new Pool(this.#origin.origin, {
          connections: 4,
          keepAliveTimeout: 30_000,
          pipelining: 1,
          connect: { rejectUnauthorized: !this.#tls?.insecure, ...(this.#tls?.caPem ? { ca: this.#tls.caPem } : {}) },
        }),
      (error: unknown) => {
        this.#dispatcher = undefined; // not cached: the next request tries again
        throw error;
      },
    );
    return this.#dispatcher;
  }

  async #request(request: VastRequest, isCredentialCheck: boolean): Promise<VastReply> {
    if (!request.path.endsWith("/") || request.path.startsWith("/")) {
      throw new Error(`VAST path ${request.path} must be relative and end in /`);
    }
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const authorization = await this.#authorization();
        const generation = this.#sessionGeneration;
        const reply = await this.#send(request, authorization);
        if (reply.status !== 401 && reply.status !== 403) return decodeReply(request, reply);
        if (reply.status === 403 && PERMISSION_DENIED.test(reply.text)) throw denial(request, reply);
        if (this.#scheme === "jwt" && !renewed && !request.create) {
          renewed = true;
          await this.#renewSession(generation);
          attempt--;
          continue;
        }
        throw await this.#authFailure(request, reply, generation, isCredentialCheck);
      } catch (error) {
        if (!(error instanceof VastError) || !mayRetry(request.method, error.kind, attempt, this.#maxRetries)) throw error;
        await delay(error.details.retryAfterMs ?? this.#retryDelayMs(attempt + 1), request.signal, CANCELLED);
      }
    }
  }

  async #authorization(): Promise<string> {
    const credential = this.#credential;
    if (credential.kind === "api-token") return `Api-Token ${credential.tokenId}.${credential.secret}`;
    if (this.#scheme === "basic") {
      return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, "utf8").toString("base64")}`;
    }
    const session = this.#session;
    const nearExpiry = session?.accessExpiresAt !== undefined && session.accessExpiresAt - this.#renewMarginMs <= this.#clock();
    if (!session || nearExpiry) await this.#renewSession(this.#sessionGeneration);
    return `Bearer ${(this.#session as Session).access}`;
  }

  /** Replaces the JWT session `generation`, once however many requests ask: refresh, else log in. */
  #renewSession(generation: number): Promise<void> {
    if (generation !== this.#sessionGeneration) return Promise.resolve();
    this.#renewing ??= this.#refreshOrLogIn().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #refreshOrLogIn(): Promise<void> {
    try {
      await this.#openSession();
    } catch (error) {
      // A failed login changes nothing on VMS, whatever request it was made for.
      if (error instanceof VastError) throw new VastError(error.kind, error.message, { ...error.details, mayHaveApplied: false });
      throw error;
    }
  }

  async #openSession(): Promise<void> {
    const refresh = this.#session?.refresh;
    this.#session = undefined;
    if (refresh) {
      const reply = await this.#send({ method: "POST", path: "token/refresh/", json: { refresh } }, undefined);
      if (reply.status >= 200 && reply.status < 300) {
        this.#startSession(reply, refresh);
        return;
      }
      // An expired or refused refresh token: log in again.
      if (reply.status !== 400 && reply.status !== 401 && reply.status !== 403) decodeReply({ method: "POST", path: "token/refresh/" }, reply);
    }
    const { username, password } = this.#credential as Extract<VastCredential, { kind: "password" }>;
    const reply = await this.#send({ method: "POST", path: "token/", json: { username, password } }, undefined);
    if (reply.status === 400 || reply.status === 401 || reply.status === 403) {
      throw new VastError("unauthorized", "VMS refused the configured user name and password (VAST_USERNAME, VAST_PASSWORD).", {
        status: reply.status,
        mayHaveApplied: false,
      });
    }
    this.#startSession(reply, undefined);
  }

  #startSession(reply: RawReply, previousRefresh: string | undefined): void {
    const body = decodeReply({ method: "POST", path: "token/" }, reply).body as { access?: unknown; refresh?: unknown } | undefined;
    if (typeof body?.access !== "string" || body.access === "") {
      throw new VastError("bad-reply", "VMS answered the login without an access token.", { status: reply.status });
    }
    const refresh = typeof body.refresh === "string" && body.refresh !== "" ? body.refresh : previousRefresh;
    this.#session = { access: body.access, refresh, accessExpiresAt: jwtExpiry(body.access) };
    this.#sessionGeneration++;
  }

  async #authFailure(request: VastRequest, reply: RawReply, generation: number, isCredentialCheck: boolean): Promise<VastError> {
    const details: VastErrorDetails = { status: reply.status, mayHaveApplied: false, hint: upstreamHint(reply) };
    // A tenant admin's credential is refused under the wrong tenant as under none: say which was sent.
    const tenant = this.#tenant ? ` under the tenant ${JSON.stringify(this.#tenant)} (VAST_TENANT)` : "";
    const unusable = () =>
      new VastError("unauthorized", `VMS did not accept the configured credential${tenant} (unknown, revoked, expired or wrong).`, details);
    if (isCredentialCheck || (reply.status === 401 && !(request.create && this.#scheme === "jwt"))) return unusable();
    const usable = await this.#credentialPasses(request.signal);
    if (generation !== this.#sessionGeneration && request.create) {
      return new VastError("unauthorized", "The VMS session had expired, so the token was not created; it is safe to try again.", details);
    }
    if (!usable || reply.status === 401) return unusable();
    return denial(request, reply);
  }

  async #credentialPasses(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.#clock() < this.#credentialPassedUntil) return true;
    try {
      await this.#request({ method: "GET", path: "apitokens/", signal }, true);
    } catch (error) {
      if (error instanceof VastError && error.kind === "unauthorized") return false;
      throw error;
    }
    this.#credentialPassedUntil = this.#clock() + this.#credentialCheckTtlMs;
    return true;
  }

  async #send(request: VastRequest, authorization: string | undefined): Promise<RawReply> {
    if (request.signal?.aborted) throw new VastError("cancelled", "The request was cancelled.", { mayHaveApplied: false });
    const headers: Record<string, string> = { accept: JSON_TYPE, "user-agent": "sn-tokens-mcp" };
    if (authorization) headers["authorization"] = authorization;
    if (this.#tenant) headers["x-tenant-name"] = this.#tenant;
    let body: string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers["content-type"] = JSON_TYPE;
    }
    const query = (request.query ?? []).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&");
    const path = `${this.#basePath}${request.path}${query ? `?${query}` : ""}`;

    // The caller's cancellation stops a write only before it is sent: cut off mid-flight, a write
    // VMS may already have applied has an unknown outcome (a new token whose secret is lost).
    const cancel = request.method === "GET" ? request.signal : undefined;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = cancel ? AbortSignal.any([cancel, timeout]) : timeout;
    let response: Dispatcher.ResponseData;
    try {
      const dispatcher = await this.#pool();
      response = await dispatcher.request({ origin: this.#origin.origin, method: request.method, path, headers, body, signal });
    } catch (error) {
      throw transportError(error, request.method, cancel, timeout, false);
    }
    try {
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    } catch (error) {
      throw transportError(error, request.method, cancel, timeout, true);
    }
  }
}

/** A 403 that is an RBAC denial: the Security realm right the action needs, when known. */
function denial(request: VastRequest, reply: RawReply): VastError {
  const right = request.right;
  return new VastError(
    "forbidden",
    right
      ? `VMS denied this action: the credential's owner lacks the Security realm ${right} permission.`
      : "VMS denied this action to the credential's owner (a missing VMS permission).",
    { status: reply.status, mayHaveApplied: false, hint: upstreamHint(reply), right },
  );
}

function transportError(
  error: unknown,
  method: string,
  cancel: AbortSignal | undefined,
  timeout: AbortSignal,
  replyStarted: boolean,
): VastError {
  const cause = networkCause(error, VAST_VARIABLES);
  const mayHaveApplied = method !== "GET" && (replyStarted || !failedBeforeSending(error, () => cause?.certificate === true));
  if (timeout.aborted) return new VastError("timeout", "VMS did not answer in time.", { mayHaveApplied });
  if (cancel?.aborted) return new VastError("cancelled", "The request was cancelled.", { mayHaveApplied });
  if (cause?.certificate) return new VastError("network", `The VMS certificate was refused: ${cause.text}; ${cause.fix}.`, { mayHaveApplied: false });
  const why = cause ? `: ${cause.text}; ${cause.fix}.` : " (the connection failed or was cut).";
  return new VastError("network", `Could not reach VMS${why}`, { mayHaveApplied });
}

/** The variables a network failure's fix names. */
export const VAST_VARIABLES = { url: "VAST_URL", ca: ["VAST_CA_FILE", "NODE_EXTRA_CA_CERTS"] } as const;

/** Any 2xx → the reply; anything else → the matching `VastError`. 401 and 403 are handled before. */
function decodeReply(request: Pick<VastRequest, "method" | "path">, reply: RawReply): VastReply {
  const { status } = reply;
  const write = request.method !== "GET";
  if (status >= 200 && status < 300) {
    if (reply.text.trim() === "") return { status, body: undefined };
    try {
      return { status, body: JSON.parse(reply.text) as unknown };
    } catch {
      throw new VastError("bad-reply", "VMS sent a reply that is not valid JSON.", { status, mayHaveApplied: write });
    }
  }
  const hint = upstreamHint(reply);
  const details: VastErrorDetails = { status, mayHaveApplied: false, hint };
  if (status >= 300 && status < 400) {
    throw new VastError(
      "redirect",
      `VMS answered with a redirect (HTTP ${status}), which is not followed${write ? " and the change was not made" : ""}: check VAST_URL and VAST_API_VERSION.`,
      details,
    );
  }
  if (status === 400 || status === 409 || status === 422) {
    throw new VastError("validation", "VMS rejected the request's arguments as invalid.", { ...details, fields: fieldErrors(reply.text) });
  }
  if (status === 404) {
    if (upstreamMessage(reply.text) === undefined) {
      throw new VastError("not-found", "VMS has no such API path: check VAST_API_VERSION (API tokens need VAST 5.3 or later).", { ...details, unknownPath: true });
    }
    throw new VastError("not-found", "VMS has no such resource.", details);
  }
  if (status === 405) throw new VastError("upstream", `VMS does not allow ${request.method} on this path (HTTP 405).`, details);
  // Only VMS's own cap message makes a 503 the cap: any other 429 or 5xx to a write that was sent
  // (a proxy, an overloaded VMS) leaves its outcome unknown.
  if (status === 429) {
    const wait = retryAfterMs(headerValue(reply.headers, "retry-after"), Date.now());
    throw new VastError("rate-limited", "VMS asked us to slow down.", { ...details, retryAfterMs: wait, mayHaveApplied: write });
  }
  if (status === 503 && CAP_MESSAGE.test(upstreamMessage(reply.text) ?? "")) {
    throw new VastError("cap-reached", "VMS refused the new token: its owner already holds the maximum number of valid API tokens.", details);
  }
  if (status >= 500) throw new VastError("upstream", `VMS failed with HTTP ${status}.`, { ...details, mayHaveApplied: write });
  throw new VastError("upstream", `VMS answered with unexpected HTTP ${status}.`, details);
}

/**
 * VMS's own message in an error body, in this order: an object's `detail`, a JSON string, the
 * first message of the first field array; none for HTML, empty or other bodies.
 */
export function upstreamMessage(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { detail } = value as { detail?: unknown };
  if (typeof detail === "string") return detail;
  for (const field of Object.values(value)) {
    if (Array.isArray(field)) return typeof field[0] === "string" ? field[0] : undefined;
  }
  return undefined;
}

/** The names of the fields a DRF error body (`{"owner": ["…"]}`) holds errors for: names only, never their text. */
function fieldErrors(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([name, errors]) => Array.isArray(errors) && /^[a-z_]{1,40}$/.test(name))
    .map(([name]) => name);
  return fields.length > 0 ? fields : undefined;
}

function upstreamHint(reply: RawReply): string | undefined {
  const message = upstreamMessage(reply.text);
  if (message === undefined) return undefined;
  const printable = message.replace(/[^\x20-\x7e]+/g, " ").replace(/\s+/g, " ").trim();
  return printable === "" ? undefined : printable.slice(0, 120);
}

/** The `exp` of a JWT, in epoch ms, read without verifying: only to renew before VMS would refuse it. */
export function jwtExpiry(jwt: string): number | undefined {
  const payload = jwt.split(".")[1];
  if (!payload) return undefined;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const CANCELLED = () => new VastError("cancelled", "The request was cancelled.", { mayHaveApplied: false });
