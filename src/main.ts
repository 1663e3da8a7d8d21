import { parseArgs } from "node:util";
import { HTTP_LISTING_CACHE_MS } from "./backends/solarnetwork/listing-cache.js";
import type { App } from "./compose.js";
import { ConfigError, readConfig } from "./config.js";
import { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, MIN_HTTP_TOKEN_LENGTH, readHttpOptions, type HttpOptions } from "./http/options.js";
import { frontConfiguration, type FrontConfiguration } from "./stdio-configurations.js";
import { startStdioFront, type StdioAnswers, type StdioFront } from "./stdio-front.js";

/** The stdio front's answers, recorded by scripts/bundle.mjs into the bundle; absent from tsc's dist/. */
declare const SN_STDIO_ANSWERS: Record<FrontConfiguration, StdioAnswers> | undefined;
const RECORDED_ANSWERS = typeof SN_STDIO_ANSWERS === "undefined" ? undefined : SN_STDIO_ANSWERS;

const USAGE = `Usage: sn-tokens-mcp [vast] [sandbox] [--http [--host H] [--port N]]
                     [--read-only] [--tools a,b] [--exclude-tools a,b] [--help] [--version]

Serves the SolarNetwork security-token tools over MCP: on stdio (default), or with --http as
stateless Streamable HTTP at http://H:N/mcp (default ${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT}; --port 0 picks a free port).
"vast" serves VAST VMS API tokens instead (list, create, update, revoke); see VAST_* below.
"sandbox" (or "vast sandbox") serves them against an embedded simulator instead: no account or
cluster needed, tokens kept in SN_MCP_SANDBOX_FILE (default: a file in a per-user data directory).
--read-only, --tools and --exclude-tools set SN_MCP_READ_ONLY, SN_MCP_TOOLS, SN_MCP_EXCLUDE_TOOLS.
Configuration comes from the environment (credentials never from flags):
  SN_URL                  SolarNetwork base URL (default https://data.solarnetwork.net)
  SN_TOKEN                the server's own unrestricted User token ID (required)
  SN_TOKEN_SECRET         its secret, or SN_TOKEN_SECRET_FILE: a file holding it, or instead
  SN_TOKEN_SIGNING_KEY    a signing key derived from the secret (64 hex), with
  SN_TOKEN_SIGNING_DATE   the UTC date it was derived for (YYYY-MM-DD); valid 7 days
  SN_MCP_SECRET_DELIVERY  inline (default), file, url (a one-time page the client offers; needs URL
                          elicitation) or auto (url when the client supports it, else inline)
  SN_MCP_SECRET_DIR       where file delivery writes new secrets
  SN_MCP_TIMEOUT_MS       per-request timeout (default 15000)
  SN_MCP_READ_ONLY        true: only read tools
  SN_MCP_TOOLS, SN_MCP_EXCLUDE_TOOLS  comma lists of tool names
  SN_MCP_LOG_LEVEL        debug, info (default), warn, error or silent
  SN_MCP_AUDIT_LOG        a file to append one JSON line per change attempt and outcome
Limits on what an assistant may do (see the README's security model):
  SN_MCP_TOKEN_TYPES      comma list of types it may create (User, ReadNodeData)
  SN_MCP_MAX_LIFETIME     longest expiry it may set, e.g. 90D (also the default for a create)
  SN_MCP_MAX_ACTIVE_TOKENS  cap on active tokens in the account
  SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS  false: refuse User tokens without apiPaths
  SN_MCP_WITHOUT_ELICITATION  refuse or proceed (default): widening changes when the client cannot ask
  SN_MCP_RATE_LIMIT_READS, SN_MCP_RATE_LIMIT_WRITES  calls a minute (default 120, 20; 0: none)
With vast (the SN_MCP_* settings apply, except SN_MCP_TOKEN_TYPES and the User-token rule):
  VAST_URL                the VMS address, https://host[:port] (required)
  VAST_API_TOKEN          the server's own API token, ID.SECRET, or VAST_API_TOKEN_FILE: a file
                          holding it, or instead VAST_USERNAME with VAST_PASSWORD / VAST_PASSWORD_FILE
  VAST_TENANT             sent as X-Tenant-Name (a tenant admin's credential)
  VAST_API_VERSION        latest (default) or vN
  VAST_CA_FILE            PEM bundle of the CAs to trust; VAST_TLS_INSECURE=true skips verification
  VAST_ALLOWED_OWNERS     comma list of other VMS users tokens may be created for (default: none)
With --http:
  SN_MCP_HTTP_TOKEN       required: the bearer secret clients send (Authorization: Bearer ...),
                          at least ${MIN_HTTP_TOKEN_LENGTH} characters, e.g. from: openssl rand -hex 32
  SN_MCP_HTTP_ALLOWED_HOSTS    extra Host values (comma list; name or name:port), e.g. behind a proxy
  SN_MCP_HTTP_ALLOWED_ORIGINS  extra Origin values (comma list of scheme://host[:port])
`;

const COMMANDS = ["", "sandbox", "vast", "vast sandbox"];

function fail(message: string): never {
  process.stderr.write(`sn-tokens-mcp: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
        http: { type: "boolean" },
        host: { type: "string" },
        port: { type: "string" },
        "read-only": { type: "boolean" },
        tools: { type: "string" },
        "exclude-tools": { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}. See --help.`);
  }
  const flags = parsed.values;
  // Asked for by a person at a terminal, not an MCP client: stdout, exit 0.
  if (flags.help) return void process.stdout.write(USAGE); // stdout-ok: a person at a terminal, before any MCP
  if (flags.version) return void process.stdout.write(`${(await import("./server.js")).SERVER_VERSION}\n`); // stdout-ok: as --help
  const command = parsed.positionals.join(" ");
  if (!COMMANDS.includes(command)) fail(`unknown command "${command}". See --help.`);
  if (!flags.http && (flags.host !== undefined || flags.port !== undefined)) fail("--host and --port go with --http. See --help.");
  const httpFlags = { host: flags.host, port: flags.port };
  const env = withOperatorFlags(process.env, flags);

  // Paging over HTTP: a client's pages arrive as separate requests, so one /find reply serves them all for a moment.
  const httpOverrides = flags.http ? { listingCacheMs: HTTP_LISTING_CACHE_MS } : {};
  let app: App;
  let http: HttpOptions | undefined;
  let front: StdioFront | undefined;
  try {
    if (command === "sandbox" || command === "vast sandbox") {
      if (flags.http) http = readHttpOptions(env, httpFlags);
      // Loaded only for the modes that use them, so that stdio start-up does not pay for them.
      if (command === "sandbox") {
        const { runSandbox } = await import("./sandbox/mode.js");
        app = (await runSandbox({ env, overrides: httpOverrides })).app;
      } else {
        const { runVastSandbox } = await import("./sandbox/vast-mode.js");
        app = (await runVastSandbox({ env })).app;
      }
    } else if (command === "vast") {
      const { serveVast } = await import("./backends/vast/compose.js");
      const served = serveVast(env);
      if (flags.http) http = readHttpOptions(env, httpFlags, served.credentialSecrets);
      app = served.app;
    } else {
      const config = readConfig(env);
      if (flags.http) http = readHttpOptions(env, httpFlags, config.tokenSecret === undefined ? [] : [config.tokenSecret]);
      // The SDK and the tools take most of a cold start: the front answers the session's start meanwhile.
      const configuration = flags.http ? undefined : frontConfiguration(config);
      const recorded = configuration && RECORDED_ANSWERS?.[configuration];
      if (recorded) {
        front = startStdioFront(recorded);
        await front.loadWanted;
      }
      const { composeApp } = await import("./compose.js");
      app = composeApp(config, httpOverrides);
      for (const notice of config.notices) app.log.warn(notice);
    }
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // A write already sent is not cut off (see the client); shutdown waits long enough for it to end.
  if (http) return serveHttp(app, { ...http, shutdownGraceMs: Math.max(http.shutdownGraceMs, app.requestTimeoutMs + 5_000) });

  const shutdown = (reason: string) => async () => {
    app.log.info("shutting down: calls in flight finish first", { reason });
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", shutdown("SIGINT"));
  process.once("SIGTERM", shutdown("SIGTERM"));
  (await import("./memory.js")).favourMemoryOverSpeed();
  if (front) {
    const refused = (error: unknown) => app.log.error("the SDK refused the initialize the stdio front answered", { error: JSON.stringify(error) });
    await front.handOver((transport) => app.server.connect(transport), shutdown("stdin closed"), refused);
  } else {
    process.stdin.once("end", shutdown("stdin closed"));
    await app.server.connectStdio();
  }
  app.log.info("serving MCP on stdio", { version: (await import("./server.js")).SERVER_VERSION });
}

/** The operator's tool flags, which beat the variables they mirror. */
function withOperatorFlags(
  env: NodeJS.ProcessEnv,
  flags: { "read-only"?: boolean; tools?: string; "exclude-tools"?: string },
): NodeJS.ProcessEnv {
  const mirrored: NodeJS.ProcessEnv = {};
  if (flags["read-only"]) mirrored.SN_MCP_READ_ONLY = "true";
  if (flags.tools !== undefined) mirrored.SN_MCP_TOOLS = flags.tools;
  if (flags["exclude-tools"] !== undefined) mirrored.SN_MCP_EXCLUDE_TOOLS = flags["exclude-tools"];
  return { ...env, ...mirrored };
}

async function serveHttp(app: App, options: HttpOptions): Promise<void> {
  let mode;
  try {
    const { startHttpMode } = await import("./http/mode.js");
    mode = await startHttpMode(app, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") fail(`--port ${options.port}: ${options.host}:${options.port} is already in use; pick another port.`);
    if (code === "EACCES") fail(`--port ${options.port}: not allowed to listen on ${options.host}:${options.port}; pick a port above 1023.`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") fail(`--host ${options.host}: not an address of this machine.`);
    throw error;
  }
  const running = mode;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      app.log.warn("second signal: exiting without waiting", { signal });
      process.exit(1);
    }
    signalled = true;
    app.log.info("shutting down", { signal });
    running.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`sn-tokens-mcp: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
