import type { App } from "../compose.js";
import { SERVER_VERSION, type McpServerHandle } from "../server.js";
import { openStreamableHttpSession, serveStreamableHttp } from "./streamable.js";
import { bearerAccess, type HttpAccess } from "./access.js";
import { isLoopbackHost, isWildcardHost } from "./hosts.js";
import { startHttpListener, type HttpListener } from "./listener.js";
import type { HttpOptions } from "./options.js";
import { sessionRouter } from "./sessions.js";

/**
 * HTTP mode: the app's tools over Streamable HTTP at `/mcp`. An `initialize` opens a session with
 * an MCP server of its own, which can ask the person questions; a request outside any session is served
 * statelessly by a server no other request is using (reused once its last request has ended). All of them share the app's backend client, redactor,
 * journal and logger.
 */

export interface HttpMode {
  readonly url: string;
  readonly listener: HttpListener;
  /** MCP sessions open now. */
  readonly sessions: number;
  /**
   * Stops accepting at once, lets calls in flight finish (at most `graceMs`), closes every
   * session, then the backend's client. Safe to call more than once.
   */
  shutdown(graceMs?: number): Promise<void>;
}

export interface HttpModeOverrides {
  /** Epoch ms, for sessions' idle time and access tokens' expiry. */
  clock?: () => number;
  /** OAuth: how soon an unknown key ID may fetch the JWKS again (default 30 s). */
  jwksCooldownMs?: number;
}

/** Servers of finished stateless requests kept for the next ones (as many as are usually in flight at once). */
const MAX_SPARE_SERVERS = 64;

export async function startHttpMode(app: App, options: HttpOptions, overrides: HttpModeOverrides = {}): Promise<HttpMode> {
  let ownUrl = "";
  const access = await httpAccess(app, options, () => ownUrl, overrides);
  // A stateless request never sees an initialize, so a server that served one holds nothing of it.
  const spare: McpServerHandle[] = [];
  const sessions = sessionRouter({
    limits: { maxSessions: options.maxSessions, idleMs: options.sessionIdleMs },
    clock: overrides.clock ?? Date.now,
    log: app.log,
    open: (id, onClosed) => openStreamableHttpSession(app.newServer(), id, onClosed),
    stateless: (req, res, body) => {
      const server = spare.pop() ?? app.newServer();
      return serveStreamableHttp(server, req, res, body, () => spare.length < MAX_SPARE_SERVERS && spare.push(server));
    },
  });
  const listener = await startHttpListener({ options, log: app.log, handle: sessions.handle, pages: app.secretPages.respond, access: access.check });
  ownUrl = listener.url;
  // A person's browser on this machine opens the pages: a wildcard bind is reached through loopback.
  app.secretPages.serveAt(isWildcardHost(options.host) ? `http://127.0.0.1:${listener.port}` : new URL(listener.url).origin);
  app.log.info("serving MCP over HTTP", {
    version: SERVER_VERSION,
    url: listener.url,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
    ...access.describe(),
  });
  access.started?.();
  if (!isLoopbackHost(options.host)) {
    app.log.warn(
      `listening beyond this machine: ${options.oauth ? "access tokens cross" : "the bearer secret crosses"} the network in plain HTTP unless a TLS proxy is in front; anyone holding ${options.oauth ? "one" : "it"} can manage your tokens`,
      { host: options.host },
    );
  }
  let done: Promise<void> | undefined;
  return {
    url: listener.url,
    listener,
    get sessions() {
      return sessions.size;
    },
    shutdown(graceMs) {
      done ??= (async () => {
        app.log.info("HTTP shutdown: no new connections; finishing calls in flight", { inFlight: listener.inFlight, sessions: sessions.size });
        const drained = await listener.close(graceMs);
        await sessions.closeAll();
        await app.close();
        app.log.info("HTTP shutdown complete", { drained });
      })();
      return done;
    },
  };
}

interface ModeAccess {
  check: HttpAccess;
  /** What the start-up log line says about it. */
  describe(): Record<string, unknown>;
  /** Runs once the listener is up. */
  started?(): void;
}

/** The static bearer (registered with the redactor), or OAuth (loaded only when configured: it brings jose). */
async function httpAccess(app: App, options: HttpOptions, ownUrl: () => string, overrides: HttpModeOverrides): Promise<ModeAccess> {
  if (!options.oauth) {
    app.protect(options.token!);
    return { check: bearerAccess(options.token!), describe: () => ({ authentication: "bearer (SN_MCP_HTTP_TOKEN)" }) };
  }
  const { oauthAccess } = await import("./oauth.js");
  const check = oauthAccess({ settings: options.oauth, ownUrl, isReadOnlyTool: app.isReadOnlyTool, log: app.log, clock: overrides.clock, jwksCooldownMs: overrides.jwksCooldownMs });
  return {
    check,
    describe: () => ({ authentication: "OAuth", issuer: options.oauth!.issuer, audience: check.audience, resourceMetadata: check.metadataUrl, scopes: options.oauth!.scopes }),
    // Early, so a wrong issuer shows in the log at start-up rather than at the first request.
    started: () => void check.discover().catch((error: unknown) => app.log.warn("OAuth: the authorization server's metadata could not be read; requests are refused until it can", { issuer: options.oauth!.issuer, error: String((error as Error).message) })),
  };
}
