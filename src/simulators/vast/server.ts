import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DEFAULT_VMS_SETTINGS,
  DEFAULT_VMS_USERS,
  loadVmsState,
  newTokenId,
  randomAlphanumeric,
  saveVmsState,
  type VmsSettings,
  type VmsState,
  type VmsToken,
  type VmsUser,
} from "./state.js";
import { cut, faultQueue, readBody, replyTimers } from "../plumbing.js";
import { noOddities, type VmsOddities } from "./oddities.js";
import { handleVmsRequest, tokenJson, type VmsReply } from "./vms.js";
import { vmsDurationMs } from "./duration.js";

/**
 * A local VAST VMS: a real HTTP server answering the API-token endpoints (and the JWT login,
 * `login/`, `vms/` and password settings) the way VMS does, for tests and sandbox mode, with
 * fault injection for lost replies. It never logs, and its request log holds no credential.
 */

export { DEFAULT_VMS_USERS, DEFAULT_VMS_SETTINGS, type VmsSettings, type VmsUser } from "./state.js";

export interface VmsSimulatorOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** The server's clock in epoch ms (default `Date.now`): expiry of tokens and JWTs. */
  now?: () => number;
  /** The managers; default `DEFAULT_VMS_USERS` (admin, manager without Security rights, secops). */
  users?: readonly VmsUser[];
  settings?: Partial<VmsSettings>;
  /** JWT lifetimes; default 1 hour and 1 day, as VMS's defaults. */
  accessLifetimeMs?: number;
  refreshLifetimeMs?: number;
  /** Simulate the schema's reading that even one's own tokens need the Security realm rights. */
  ownTokensNeedRights?: boolean;
  /** RBAC denials carrying only DRF's text, without `code: permission_denied`. */
  denialsWithoutCode?: boolean;
  /** Simulate a `login/` that answers an API token with 401 (only password and session logins). */
  loginRefusesApiTokens?: boolean;
  /** A JSON file holding the whole state (mode 0600): loaded at start when present, saved on change. */
  file?: string;
  /** Keep every request in `requests` (default true, for tests). */
  recordRequests?: boolean;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string };
}

export interface RecordedVmsRequest {
  readonly method: string;
  /** The raw path, without the query. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /** The reply's status; 0 while pending and when the connection was cut without a reply. */
  readonly status: number;
  /** The Authorization scheme only (`Api-Token`, `Basic`, `Bearer`), never the credential. */
  readonly authScheme: string | undefined;
  readonly tenant: string | undefined;
}

export interface SeedVmsTokenInit {
  owner: string;
  /** Default `<owner>_api_token`. */
  name?: string;
  /** Epoch ms; default now. */
  created?: number;
  /** In the expiry grammar counted from `created`, or null for never; default the cluster's timeout. */
  expiry?: string | null;
  revoked?: boolean;
}

/** A token as a test sees it: everything but the secret, with epoch-ms times. */
export type VmsTokenView = Omit<VmsToken, "secret">;

export type VmsFault = { match?: { method?: string; pathEndsWith?: string; pathMatches?: RegExp } } & (
  /** Answer with this status (and body), without processing the request. */
  | { kind: "status"; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  /** Cut the connection without replying, without processing the request. */
  | { kind: "reset" }
  /** Process the request, then hold the reply for `ms`. */
  | { kind: "delay"; ms: number }
  /** Process the request, then hold the reply until `release` settles: no race with a timer. */
  | { kind: "hold"; release: Promise<void> }
  /** Process the request, send the headers and half the body, then cut the connection. */
  | { kind: "truncate" }
  /** Process the request (the state changes), then answer `reply` (a 5xx status) or cut the connection. */
  | { kind: "applyThenFail"; reply: number | "reset" }
);

export interface VmsSimulator {
  /** E.g. `http://127.0.0.1:43123`: what a client uses as `VAST_URL`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: ReadonlyArray<RecordedVmsRequest>;
  /** The live settings: tests may change them between requests. */
  readonly settings: VmsSettings;
  /** Adds a manager, or replaces the one with that user name. */
  seedUser(user: VmsUser): void;
  /** Creates a token directly (no HTTP, no cap), returning its ID and whole `ID.SECRET`. */
  seedToken(init: SeedVmsTokenInit): { id: string; token: string };
  /** Every stored token, revoked ones included, without secrets. */
  tokens(): VmsTokenView[];
  /** A stored token as VMS's JSON would show it, for comparisons. */
  tokenJson(id: string): Record<string, unknown> | undefined;
  /** Queues a fault; each applies once, to the next request it matches. */
  injectFault(fault: VmsFault): void;
  /** Odd token JSON VMS's schema allows, on until switched off: a zone-less expiry, a null owner, an unreadable token. */
  readonly oddities: VmsOddities;
  close(): Promise<void>;
}


export async function startVmsSimulator(options: VmsSimulatorOptions = {}): Promise<VmsSimulator> {
  const host = options.host ?? "127.0.0.1";
  const now = options.now ?? Date.now;
  const state: VmsState = (options.file && loadVmsState(options.file)) || {
    users: (options.users ?? DEFAULT_VMS_USERS).map((user) => structuredClone(user)),
    tokens: [],
    settings: { ...DEFAULT_VMS_SETTINGS, ...options.settings },
  };
  const save = () => {
    if (options.file) saveVmsState(options.file, state);
  };
  const context = {
    state,
    jwtKey: randomBytes(32),
    accessLifetimeMs: options.accessLifetimeMs ?? 3_600_000,
    refreshLifetimeMs: options.refreshLifetimeMs ?? 86_400_000,
    ownTokensNeedRights: options.ownTokensNeedRights ?? false,
    loginRefusesApiTokens: options.loginRefusesApiTokens ?? false,
    oddities: noOddities(),
    denialsWithoutCode: options.denialsWithoutCode ?? false,
  };
  const requests: { -readonly [K in keyof RecordedVmsRequest]: RecordedVmsRequest[K] }[] = [];
  const faults = faultQueue<VmsFault>(
    ({ match }, method, path) =>
      (match?.method === undefined || match.method.toUpperCase() === method) &&
      (match?.pathEndsWith === undefined || path.endsWith(match.pathEndsWith)) &&
      (match?.pathMatches === undefined || match.pathMatches.test(path)),
  );
  const timers = replyTimers();

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? "GET").toUpperCase();
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = queryAt < 0 ? "" : target.slice(queryAt + 1);
    const headers = new Map<string, string>();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = (req.rawHeaders[i] as string).toLowerCase();
      if (!headers.has(name)) headers.set(name, req.rawHeaders[i + 1] as string);
    }
    const entry = { method, path, query, status: 0, authScheme: headers.get("authorization")?.split(" ")[0], tenant: headers.get("x-tenant-name") };
    if (options.recordRequests !== false) requests.push(entry);
    const fault = faults.take(method, path);

    const body = await readBody(req);
    if (body === undefined) return cut(req.socket);
    const send = (reply: VmsReply) => {
      entry.status = reply.status;
      writeHead(res, reply);
      res.end(reply.body);
    };
    if (fault?.kind === "reset") return cut(req.socket);
    if (fault?.kind === "status") {
      return send({
        status: fault.status,
        headers: { "Content-Type": fault.contentType ?? "application/json", ...fault.headers },
        body: fault.body ?? JSON.stringify({ detail: "Simulated failure." }),
      });
    }

    const reply = handleVmsRequest({ method, path, query: new URLSearchParams(query), headers, body }, { ...context, now: now() });
    if (reply.changed) save();
    switch (fault?.kind) {
      case "applyThenFail":
        if (fault.reply === "reset") return cut(req.socket);
        return send({ status: fault.reply, headers: { "Content-Type": "text/html" }, body: "<html><body>Server Error</body></html>" });
      case "delay":
        return timers.later(fault.ms, res, () => send(reply));
      case "hold":
        return void fault.release.finally(() => {
          if (!res.destroyed) send(reply);
        });
      case "truncate": {
        entry.status = reply.status;
        writeHead(res, reply);
        const bytes = Buffer.from(reply.body, "utf8");
        return void res.write(bytes.subarray(0, Math.max(Math.floor(bytes.length / 2), 1)), () => cut(req.socket));
      }
      default:
        return send(reply);
    }
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    onRequest(req, res).catch(() => {
      // Never log: a request may carry credentials.
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/html" });
        res.end("<html><body>Server Error (500)</body></html>");
      } else {
        res.destroy();
      }
    });
  };
  const server = options.tls
    ? (await import("node:https")).createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createServer(handler);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `${options.tls ? "https" : "http"}://${urlHost}:${port}`,
    requests,
    settings: state.settings,
    seedUser(user) {
      const index = state.users.findIndex((existing) => existing.username === user.username);
      if (index >= 0) state.users[index] = structuredClone(user);
      else state.users.push(structuredClone(user));
      save();
    },
    seedToken(init) {
      if (!state.users.some((user) => user.username === init.owner)) throw new Error(`No VMS user ${init.owner}.`);
      const created = init.created ?? now();
      const lifetime = init.expiry === undefined ? state.settings.pwdExpirationTimeout : init.expiry;
      const lifetimeMs = lifetime === null ? undefined : vmsDurationMs(lifetime);
      if (lifetime !== null && lifetimeMs === undefined) throw new Error(`${lifetime} is not in the VMS expiry grammar.`);
      const token: VmsToken = {
        id: newTokenId(state),
        secret: randomAlphanumeric(32),
        name: init.name ?? `${init.owner}_api_token`,
        owner: init.owner,
        created,
        expiry: lifetimeMs === undefined ? null : created + lifetimeMs,
        lastUsed: null,
        revoked: init.revoked ?? false,
        revocationTime: init.revoked ? created : null,
      };
      state.tokens.push(token);
      save();
      return { id: token.id, token: `${token.id}.${token.secret}` };
    },
    tokens: () => state.tokens.map(({ secret: _secret, ...view }) => structuredClone(view)),
    tokenJson(id) {
      const token = state.tokens.find((candidate) => candidate.id === id);
      return token && tokenJson(token);
    },
    injectFault: faults.push,
    oddities: context.oddities,
    close: () => timers.close(server),
  };
}

function writeHead(res: ServerResponse, reply: VmsReply): void {
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.setHeader("Content-Length", Buffer.byteLength(reply.body));
  res.writeHead(reply.status);
}
