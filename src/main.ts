import { parseArgs } from "node:util";
import type { App } from "./compose.js";
import { ConfigError } from "./config-error.js";
import { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, HTTP_LISTING_CACHE_MS, MIN_HTTP_TOKEN_LENGTH, readHttpOptions, type HttpOptions } from "./http/options.js";
import { BACKENDS, backendCommands, DEFAULT_BACKEND } from "./registry.js";
import { frontConfiguration, type FrontConfiguration } from "./stdio-configurations.js";
import { startStdioFront, type StdioAnswers, type StdioFront } from "./stdio-front.js";

/** The stdio front's answers, recorded by scripts/bundle.mjs into the bundle; absent from tsc's dist/. */
declare const SN_STDIO_ANSWERS: Record<FrontConfiguration, StdioAnswers> | undefined;
const RECORDED_ANSWERS = typeof SN_STDIO_ANSWERS === "undefined" ? undefined : SN_STDIO_ANSWERS;

const COMMANDS = backendCommands();

const USAGE = `Usage: sn-tokens-mcp [${COMMANDS.filter(({ sandbox, command }) => !sandbox && command).map(({ command }) => command).join(" | ")}] [sandbox] [--http [--host H] [--port N]]
                     [--read-only] [--tools a,b] [--exclude-tools a,b] [--help] [--version]
       sn-tokens-mcp [vast] doctor [--json]

Serves security-token tools over MCP: on stdio (default), or with --http as Streamable HTTP
at http://H:N/mcp (default ${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT}; --port 0 picks a free port).
${BACKENDS.map((backend) => backend.help.summary).join("\n")}
"doctor" (alone or after a command) checks the configuration against the real upstream instead, line
by line, and says what to fix (exit 0 usable, 1 not, 2 bad configuration; --json for scripts).
"sandbox" (alone or after a command) serves them against an embedded simulator instead: no account or
cluster needed, tokens kept in SN_MCP_SANDBOX_FILE (default: a file in a per-user data directory).
--read-only, --tools and --exclude-tools set SN_MCP_READ_ONLY, SN_MCP_TOOLS, SN_MCP_EXCLUDE_TOOLS.
Configuration comes from the environment (credentials never from flags):
  SN_MCP_SECRET_DELIVERY  inline (default), file, url (a one-time page the client offers; needs URL
                          elicitation) or auto (url when the client supports it, else inline)
  SN_MCP_SECRET_DIR       where file delivery writes new secrets
  SN_MCP_TIMEOUT_MS       per-request timeout (default 15000)
  SN_MCP_READ_ONLY        true: only read tools
  SN_MCP_TOOLS, SN_MCP_EXCLUDE_TOOLS  comma lists of tool names
  SN_MCP_LOG_LEVEL        debug, info (default), warn, error or silent
  SN_MCP_AUDIT_LOG        a file to append one JSON line per change attempt and outcome
Limits on what an assistant may do (see the README's security model):
  SN_MCP_MAX_LIFETIME     longest expiry it may set, e.g. 90D (also the default for a create)
  SN_MCP_MAX_ACTIVE_TOKENS  cap on active tokens in the account
  SN_MCP_WITHOUT_ELICITATION  refuse or proceed (default): changes that need a question when the
                          client cannot ask (a change to the server's own token is refused either way)
  SN_MCP_RATE_LIMIT_READS, SN_MCP_RATE_LIMIT_WRITES  calls a minute (default 120, 20; 0: none)
${BACKENDS.map((backend) => backend.help.variables).join("")}With --http, one of:
  SN_MCP_HTTP_TOKEN       the bearer secret clients send (Authorization: Bearer ...),
                          at least ${MIN_HTTP_TOKEN_LENGTH} characters, e.g. from: openssl rand -hex 32
  SN_MCP_HTTP_OAUTH_ISSUER  or OAuth: the issuer URL of the authorization server whose access
                          tokens (JWTs) clients send; with SN_MCP_HTTP_OAUTH_AUDIENCE, the audience
                          they must carry (default: this server's /mcp URL), and
                          SN_MCP_HTTP_OAUTH_READ_SCOPE / _WRITE_SCOPE (default tokens:read, tokens:write)
and:
  SN_MCP_HTTP_ALLOWED_HOSTS    extra Host values (comma list; name or name:port), e.g. behind a proxy
  SN_MCP_HTTP_ALLOWED_ORIGINS  extra Origin values (comma list of scheme://host[:port])
`;

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
        json: { type: "boolean" },
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
  if (parsed.positionals.at(-1) === "doctor") {
    const backend = BACKENDS.find((known) => known.command === parsed.positionals.slice(0, -1).join(" "));
    if (!backend) fail(`unknown command "${parsed.positionals.join(" ")}". See --help.`);
    const { runDoctor } = await import("./doctor/command.js");
    process.exitCode = await runDoctor(backend, withOperatorFlags(process.env, flags), flags.json === true);
    return;
  }
  if (flags.json) fail("--json goes with doctor. See --help.");
  const command = parsed.positionals.join(" ");
  const chosen = COMMANDS.find((known) => known.command === command);
  if (!chosen) fail(`unknown command "${command}". See --help.`);
  if (!flags.http && (flags.host !== undefined || flags.port !== undefined)) fail("--host and --port go with --http. See --help.");
  const httpFlags = { host: flags.host, port: flags.port };
  const env = withOperatorFlags(process.env, flags);

  // Paging over HTTP: a client's pages arrive as separate requests, so one /find reply serves them all for a moment.
  const httpOverrides = flags.http ? { listingCacheMs: HTTP_LISTING_CACHE_MS } : {};
  let app: App;
  let http: HttpOptions | undefined;
  let front: StdioFront | undefined;
  try {
    const { backend } = chosen;
    if (chosen.sandbox && backend.sandbox) {
      if (flags.http) http = readHttpOptions(env, httpFlags);
      // Loaded only for the modes that use them, so that stdio start-up does not pay for them.
      const { runSandbox } = await import("./sandbox/run.js");
      app = (await runSandbox(backend, { env, overrides: httpOverrides })).app;
    } else {
      const config = backend.readConfig(env, Date.now());
      if (flags.http) http = readHttpOptions(env, httpFlags, backend.credentialSecrets(config));
      // The SDK and the tools take most of a cold start: the front answers the session's start meanwhile.
      const configuration = flags.http || backend !== DEFAULT_BACKEND ? undefined : frontConfiguration(config);
      const recorded = configuration && RECORDED_ANSWERS?.[configuration];
      if (recorded) {
        front = startStdioFront(recorded);
        await front.loadWanted;
      }
      const [{ composeServer }, makeBackend] = await Promise.all([import("./compose.js"), backend.makeBackend()]);
      app = composeServer(config, (deps) => makeBackend(config, deps), httpOverrides);
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
