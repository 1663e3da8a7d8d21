import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import { bearerAccess, type Caller, type HttpAccess, type Refusal } from "./access.js";
import { buildAllowList, isAllowedHost, isAllowedOrigin } from "./checks.js";
import type { HttpOptions } from "./options.js";
import { writePage } from "./page-listener.js";
import { PAGE_PATH_PREFIX, type SecretPages } from "../safety/secret-page.js";

/**
 * The HTTP front of HTTP mode, free of the MCP SDK: Host and Origin checks, the credential (see
 * access.ts), the method and path, the body size limit and JSON parsing, what the message may do,
 * then `handle` serves the MCP request. Shutdown stops accepting, lets requests in flight finish
 * (bounded), then cuts whatever is left.
 */

export const MCP_PATH = "/mcp";
/** How long a refused request's remaining body is read (and discarded) before its socket is cut. */
const DRAIN_MS = 5_000;

export interface HttpListenerOptions {
  options: HttpOptions;
  log: Logger;
  /** Serves one MCP request that passed every check; `body` is its parsed JSON (undefined for DELETE). */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** The one-time secret pages, served here (no bearer: a person's browser opens them) after the Host and Origin checks. */
  pages?: SecretPages["respond"];
  /** Who may send what; default: the static bearer of `options.token`. */
  access?: HttpAccess;
}

export interface HttpListener {
  /** E.g. `http://127.0.0.1:8808/mcp`. */
  readonly url: string;
  readonly port: number;
  /** Requests accepted and not yet answered. */
  readonly inFlight: number;
  /**
   * Stops accepting connections at once (before it returns), answers new requests on open
   * connections with 503, waits up to `graceMs` for requests in flight, then cuts the rest.
   * Resolves `true` when all finished in time.
   */
  close(graceMs?: number): Promise<boolean>;
}

export async function startHttpListener({ options, log, handle, pages, access: given }: HttpListenerOptions): Promise<HttpListener> {
  const access = given ?? (options.token ? bearerAccess(options.token) : undefined);
  if (!access) throw new Error("HTTP mode needs SN_MCP_HTTP_TOKEN or OAuth settings");
  let allow = buildAllowList(options.host, options.port, options.allowedHosts, options.allowedOrigins);
  const active = new Set<ServerResponse>();
  let closing = false;
  let onIdle: (() => void) | undefined;

  const finish = (res: ServerResponse) => {
    active.delete(res);
    if (active.size === 0) onIdle?.();
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    res.once("close", () => {
      finish(res);
      log.debug("HTTP request", {
        method,
        // A page's path opens it: never logged.
        path: path.startsWith(PAGE_PATH_PREFIX) ? `${PAGE_PATH_PREFIX}…` : path.slice(0, 200),
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        ...(res.writableFinished ? {} : { cut: true }),
      });
    });
    if (closing) {
      res.setHeader("Connection", "close");
      return replyWithError(res, 503, -32000, "The server is shutting down; try again when it is back.", { "Retry-After": "5" });
    }

    // A refusal reads no body, and its connection closes after the reply: an unauthenticated client
    // cannot make the server read or hold its upload.
    const refuse = (status: number, code: number, message: string, headers: Record<string, string> = {}) => {
      res.setHeader("Connection", "close");
      replyWithError(res, status, code, message, headers);
    };
    if (!isAllowedHost(req.headers.host, allow)) {
      refusals.note("Host not allowed", { host: clip(req.headers.host), hint: "SN_MCP_HTTP_ALLOWED_HOSTS" });
      return refuse(403, -32000, "Forbidden: this Host is not allowed (DNS-rebinding protection).");
    }
    const origin = req.headers.origin;
    if (!isAllowedOrigin(origin, allow)) {
      refusals.note("Origin not allowed", { origin: clip(origin), hint: "SN_MCP_HTTP_ALLOWED_ORIGINS" });
      return refuse(403, -32000, "Forbidden: this Origin is not allowed (DNS-rebinding protection).");
    }
    // Before the CORS headers: no script of another origin may read a page.
    const page = pages?.(method, path);
    if (page) return writePage(res, page);
    if (origin !== undefined) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate");
    }
    const document = method === "GET" ? access.document(path) : undefined;
    if (document !== undefined) {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "max-age=300", "Content-Length": Buffer.byteLength(document) });
      return void res.end(document);
    }
    if (path !== MCP_PATH) return refuse(404, -32000, `Not found: MCP is served at ${MCP_PATH}.`);
    if (method === "OPTIONS" && origin !== undefined) {
      // A CORS preflight from an allowed origin (it carries no credentials by design).
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "POST, DELETE",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID",
        "Access-Control-Max-Age": "600",
      });
      return void res.end();
    }

    const turnAway = (refusal: Refusal) => {
      refusals.note(refusal.kind, { method, path: path.slice(0, 200) });
      const headers: Record<string, string> = refusal.challenge ? { "WWW-Authenticate": refusal.challenge } : {};
      if (refusal.status === 503) headers["Retry-After"] = "5";
      refuse(refusal.status, refusal.status === 401 ? -32001 : -32000, refusal.message, headers);
    };
    const { caller, refusal } = await access.authenticate(req.headers.authorization);
    if (refusal) return turnAway(refusal);
    // The SDK hands this to the tools' handler as the request's authInfo (whose subject the audit records).
    (req as IncomingMessage & { auth?: unknown }).auth = authInfo(caller);
    // DELETE ends a session (it has no body to read). No GET: every message this server sends
    // belongs to a call and travels on that call's response, so there is no stream to open.
    if (method === "DELETE") {
      const denied = access.authorize(caller, undefined);
      return denied ? turnAway(denied) : handle(req, res, undefined);
    }
    if (method !== "POST") {
      return refuse(405, -32000, "Method not allowed: send POST, or DELETE to end a session; this server opens no GET stream.", { Allow: "POST, DELETE" });
    }

    const declared = Number(req.headers["content-length"]);
    const body = declared > options.maxBodyBytes ? "too-large" : await readBody(req, options.maxBodyBytes);
    if (body === "too-large") {
      refusals.note("body too large", { limit: options.maxBodyBytes });
      drainThenCut(req);
      res.setHeader("Connection", "close");
      return replyWithError(res, 413, -32000, `Payload too large: at most ${options.maxBodyBytes} bytes.`);
    }
    if (body === "aborted") return void res.destroy();
    let message: unknown;
    try {
      message = JSON.parse(body.toString("utf8"));
    } catch {
      return replyWithError(res, 400, -32700, "Parse error: the body is not JSON.");
    }
    const denied = access.authorize(caller, message);
    if (denied) return turnAway(denied);
    if (closing) res.setHeader("Connection", "close");
    await handle(req, res, message);
  };

  const refusals = refusalLog(log);
  const server = createServer({ connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs) }, (req, res) => {
    active.add(res);
    onRequest(req, res).catch((error: unknown) => {
      log.error("HTTP request failed unexpectedly", { error: String(error), stack: (error as Error)?.stack });
      if (!res.headersSent) replyWithError(res, 500, -32603, "Internal error.");
      else res.destroy();
    });
  });
  // Neither a flood of idle connections nor a slow client may hold descriptors for long.
  server.maxConnections = options.maxConnections;
  server.headersTimeout = options.headersTimeoutMs;
  server.keepAliveTimeout = options.idleTimeoutMs;
  server.requestTimeout = 120_000;
  server.on("drop", () => refusals.note("too many connections", { limit: options.maxConnections }));
  // Node times out a request's headers only once it has begun: a connection that sends nothing is cut here.
  server.on("connection", (socket: import("node:net").Socket) => {
    const silent = setTimeout(() => socket.destroy(), options.headersTimeoutMs);
    silent.unref();
    socket.once("data", () => clearTimeout(silent));
    socket.once("close", () => clearTimeout(silent));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  allow = buildAllowList(options.host, port, options.allowedHosts, options.allowedOrigins);
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;

  let closed: Promise<boolean> | undefined;

  return {
    url: `http://${urlHost}:${port}${MCP_PATH}`,
    port,
    get inFlight() {
      return active.size;
    },
    close(graceMs = options.shutdownGraceMs) {
      closed ??= (async () => {
        closing = true;
        for (const res of active) if (!res.headersSent) res.setHeader("Connection", "close");
        const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => {
            onIdle = () => resolve(true);
            if (active.size === 0) resolve(true);
          }),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
        ]);
        clearTimeout(timer);
        if (!drained) log.warn("HTTP shutdown: cutting requests still in flight", { inFlight: active.size, graceMs });
        server.closeAllConnections();
        await listenerClosed;
        return drained;
      })();
      return closed;
    },
  };
}

/** The caller as the SDK's AuthInfo (`subject` in `extra`). */
function authInfo(caller: Caller) {
  return { token: caller.token, clientId: caller.clientId ?? caller.subject ?? "", scopes: [...caller.scopes], expiresAt: caller.expiresAt, extra: { subject: caller.subject } };
}

/** The whole body, or why not; stops reading past `limit`. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", () => resolve("aborted"));
    req.once("close", () => {
      if (!req.complete) resolve("aborted");
    });
  });
}

/** Reads and discards the rest of a refused body for a while (so the client sees the reply, not a reset), then cuts. */
function drainThenCut(req: IncomingMessage): void {
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  timer.unref();
  req.socket.once("close", () => clearTimeout(timer));
}

export function replyWithError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

const REFUSAL_LOG_INTERVAL_MS = 10_000;

/** Refusals logged at most once per kind in ten seconds, with the count of those not logged: a flood cannot fill the log. */
function refusalLog(log: Logger): { note(kind: string, fields: Record<string, unknown>): void } {
  const last = new Map<string, { at: number; suppressed: number }>();
  return {
    note(kind, fields) {
      const now = performance.now();
      const seen = last.get(kind);
      if (seen && now - seen.at < REFUSAL_LOG_INTERVAL_MS) {
        seen.suppressed++;
        return;
      }
      log.warn(`HTTP request refused: ${kind}`, { ...fields, ...(seen?.suppressed ? { alsoRefusedSinceLastLine: seen.suppressed } : {}) });
      last.set(kind, { at: now, suppressed: 0 });
    },
  };
}

function clip(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.slice(0, 200);
}
