import type { App } from "../compose.js";
import { SERVER_VERSION, serveStreamableHttp } from "../server.js";
import { isLoopbackHost, isWildcardHost } from "./checks.js";
import { startHttpListener, type HttpListener } from "./listener.js";
import type { HttpOptions } from "./options.js";

/**
 * HTTP mode: the app's tools over stateless Streamable HTTP at `/mcp`, one fresh MCP server per
 * request (all sharing the app's SolarNetwork client, redactor, journal and logger).
 */

export interface HttpMode {
  readonly url: string;
  readonly listener: HttpListener;
  /**
   * Stops accepting at once, lets calls in flight finish (at most `graceMs`), then closes the
   * SolarNetwork client. Safe to call more than once.
   */
  shutdown(graceMs?: number): Promise<void>;
}

export async function startHttpMode(app: App, options: HttpOptions): Promise<HttpMode> {
  app.protect(options.token);
  const listener = await startHttpListener({
    options,
    log: app.log,
    handle: (req, res, body) => serveStreamableHttp(app.newServer(), req, res, body),
    pages: app.secretPages.respond,
  });
  // A person's browser on this machine opens the pages: a wildcard bind is reached through loopback.
  app.secretPages.serveAt(isWildcardHost(options.host) ? `http://127.0.0.1:${listener.port}` : new URL(listener.url).origin);
  app.log.info("serving MCP over HTTP", {
    version: SERVER_VERSION,
    url: listener.url,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  });
  if (!isLoopbackHost(options.host)) {
    app.log.warn(
      "listening beyond this machine: the bearer secret crosses the network in plain HTTP unless a TLS proxy is in front; anyone holding it can manage your tokens",
      { host: options.host },
    );
  }
  let done: Promise<void> | undefined;
  return {
    url: listener.url,
    listener,
    shutdown(graceMs) {
      done ??= (async () => {
        app.log.info("HTTP shutdown: no new connections; finishing calls in flight", { inFlight: listener.inFlight });
        const drained = await listener.close(graceMs);
        await app.close();
        app.log.info("HTTP shutdown complete", { drained });
      })();
      return done;
    },
  };
}
