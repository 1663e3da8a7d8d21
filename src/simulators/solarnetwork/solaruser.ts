import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Policy, TokenStatus, TokenType } from "../../backends/solarnetwork/model.js";
import { handleRequest } from "./api.js";
import { failure, JSON_CONTENT_TYPE, type Reply } from "./replies.js";
import { newSecret, newTokenId } from "./token-json.js";
import { cut, faultQueue, readBody, replyTimers } from "../plumbing.js";
import { storedPolicy, TOKEN_STATUSES, TOKEN_TYPES } from "./policy.js";
import { memoryTokenStore, type StoredToken, type TokenStore } from "./store.js";
import type { ReceivedRequest } from "./verify.js";

/**
 * A local SolarUser: a real HTTP server answering SolarNetwork's security-token API (and the
 * `whoami` and signing-key refresh calls of SolarQuery) the way the real one does, with SNWS2
 * verification, for tests, the demo and sandbox mode. It never logs, and never logs secrets.
 */

export { jsonFileTokenStore, memoryTokenStore, type StoredToken, type TokenStore } from "./store.js";

export interface LocalSolarUserOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Server clock in epoch ms (default `Date.now`): tests use it for clock skew. */
  now?: () => number;
  /** Default: in memory. */
  store?: TokenStore;
  /**
   * Node ID → owning user ID. When given, `generate` refuses a policy naming a node that is not
   * the user's (403 `UNKNOWN_OBJECT` / `ACCESS_DENIED`), as the real server does. By default any
   * node ID is accepted.
   */
  nodeOwners?: Readonly<Record<number, number>>;
  /** Keep every request in `requests` (default true, for tests); sandbox mode, long-running, does not. */
  recordRequests?: boolean;
}

export interface SeedTokenInit {
  type: TokenType;
  /** Default 123. */
  userId?: number;
  policy?: Policy;
  name?: string;
  description?: string;
  /** Default `Active`. */
  status?: TokenStatus;
  /** Default: a new random 20-character ID. */
  id?: string;
  /** Default: a new random secret. */
  secret?: string;
}

export interface RecordedRequest {
  readonly method: string;
  /** The raw path, without the query. */
  readonly path: string;
  /** The raw query string, without `?` (empty when none). */
  readonly query: string;
  /** The reply's status; 0 while pending and when the connection was cut without a reply. */
  readonly status: number;
}

export interface LocalSolarUser {
  /** E.g. `http://127.0.0.1:43123`: what a client uses as `SN_URL`. */
  readonly url: string;
  /** Creates a token directly in the store (no HTTP), returning id+secret; for seeding test credentials. */
  seedToken(init: SeedTokenInit): { id: string; secret: string };
  /** Every request received, in arrival order. */
  readonly requests: ReadonlyArray<RecordedRequest>;
  /** Queues a fault; each applies to the next request it matches, once. */
  injectFault(fault: Fault): void;
  close(): Promise<void>;
}

export type Fault = { match?: { method?: string; pathEndsWith?: string } } & (
  /** Answer with this status (and body), without processing the request. */
  | { kind: "status"; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  /** Cut the connection without replying, without processing the request. */
  | { kind: "reset" }
  /** Process the request (the store changes), then cut the connection instead of replying. */
  | { kind: "applyThenReset" }
  /** Process the request (the store changes), then answer with this status and body instead (a proxy's 502, an HTML page). */
  | { kind: "applyThenStatus"; status: number; body?: string; contentType?: string }
  /** Process the request, then hold the reply for `ms`. */
  | { kind: "delay"; ms: number }
  /** Process the request, then hold the reply until `release` settles: for tests that must not race a timer. */
  | { kind: "hold"; release: Promise<void> }
  /** Process the request, send the headers and part of the body, then stall the rest for `ms`. */
  | { kind: "slowBody"; ms: number }
);

const DEFAULT_USER_ID = 123;
/** Bodies beyond this are cut off (the real server refuses anything over 64 KiB anyway). */

export async function startLocalSolarUser(options: LocalSolarUserOptions = {}): Promise<LocalSolarUser> {
  const host = options.host ?? "127.0.0.1";
  const now = options.now ?? Date.now;
  const store = options.store ?? memoryTokenStore();
  const nodeOwners = options.nodeOwners
    ? new Map(Object.entries(options.nodeOwners).map(([node, user]) => [Number(node), user]))
    : undefined;
  const requests: { method: string; path: string; query: string; status: number }[] = [];
  const faults = faultQueue<Fault>(
    ({ match }, method, path) =>
      (match?.method === undefined || match.method.toUpperCase() === method) && (match?.pathEndsWith === undefined || path.endsWith(match.pathEndsWith)),
  );
  const timers = replyTimers();
  let serverHost = host;
  let lastCreated = 0;

  /** Epoch microseconds, strictly increasing so creation order is total. */
  const nextCreated = (): number => {
    let micros = Math.floor(now()) * 1000;
    if (micros <= lastCreated && lastCreated - micros < 1000) micros = lastCreated + 1;
    lastCreated = micros;
    return micros;
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? "GET").toUpperCase();
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? "" : target.slice(queryAt + 1);
    const entry = { method, path: rawPath, query: rawQuery, status: 0 };
    if (options.recordRequests !== false) requests.push(entry);
    const fault = faults.take(method, rawPath);

    const body = await readBody(req);
    if (body === undefined) return cut(req.socket);
    const send = (reply: Reply) => {
      entry.status = reply.status;
      writeHead(res, reply, now());
      res.end(reply.body);
    };

    if (fault?.kind === "reset") return cut(req.socket);
    if (fault?.kind === "status") return send(faultReply(fault));

    const reply = handleRequest(receivedRequest(method, rawPath, rawQuery, req, body), {
      store,
      now: now(),
      serverHost,
      nextCreated,
      nodeOwners,
    });
    switch (fault?.kind) {
      case "applyThenReset":
        return cut(req.socket);
      case "applyThenStatus":
        return send(faultReply({ ...fault, kind: "status" }));
      case "delay":
        return timers.later(fault.ms, res, () => send(reply));
      case "hold":
        return void fault.release.finally(() => {
          if (!res.destroyed) send(reply);
        });
      case "slowBody": {
        entry.status = reply.status;
        writeHead(res, reply, now());
        const half = Math.floor(Buffer.byteLength(reply.body) / 2);
        const bytes = Buffer.from(reply.body, "utf8");
        res.write(bytes.subarray(0, Math.max(half, 1)));
        return timers.later(fault.ms, res, () => res.end(bytes.subarray(Math.max(half, 1))));
      }
      default:
        return send(reply);
    }
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      // Never log: a request may carry credentials. Answer as the real server would.
      if (!res.headersSent) {
        const reply = failure(500, "Internal error");
        writeHead(res, reply, now());
        res.end(reply.body);
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  serverHost = `${urlHost}:${port}`;

  return {
    url: `http://${urlHost}:${port}`,
    requests,
    seedToken(init) {
      if (!(TOKEN_TYPES as readonly string[]).includes(init.type)) throw new Error(`Unknown token type ${String(init.type)}.`);
      const status = init.status ?? "Active";
      if (!(TOKEN_STATUSES as readonly string[]).includes(status)) throw new Error(`Unknown token status ${String(status)}.`);
      const id = init.id ?? newTokenId(store);
      if (store.get(id)) throw new Error("A token with that ID already exists.");
      const token: StoredToken = {
        id,
        secret: init.secret ?? newSecret(),
        userId: init.userId ?? DEFAULT_USER_ID,
        type: init.type,
        status,
        created: nextCreated(),
      };
      if (init.name?.trim()) token.name = init.name;
      if (init.description?.trim()) token.description = init.description;
      if (init.policy) token.policy = storedPolicy(init.policy);
      store.put(token);
      return { id: token.id, secret: token.secret };
    },
    injectFault: faults.push,
    close: () => timers.close(server),
  };
}

function writeHead(res: ServerResponse, reply: Reply, nowMs: number): void {
  const body = Buffer.byteLength(reply.body);
  // An explicit Date header replaces Node's own, so a client can learn the server's clock.
  res.setHeader("Date", new Date(nowMs).toUTCString());
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.setHeader("Content-Length", body);
  res.writeHead(reply.status);
}

function faultReply(fault: Extract<Fault, { kind: "status" }>): Reply {
  const base =
    fault.body !== undefined
      ? { status: fault.status, headers: { "Content-Type": fault.contentType ?? JSON_CONTENT_TYPE }, body: fault.body }
      : defaultFaultReply(fault.status, fault.contentType);
  return { ...base, headers: { ...base.headers, ...fault.headers } };
}

function defaultFaultReply(status: number, contentType: string | undefined): Reply {
  let reply: Reply;
  if (status >= 200 && status < 300) {
    reply = { status, headers: { "Content-Type": JSON_CONTENT_TYPE }, body: JSON.stringify({ success: true }) };
  } else if (status === 429) reply = failure(429, "Try again later.");
  else if (status === 401 || status === 403) reply = failure(status, "Bad credentials");
  else if (status >= 500) reply = failure(status, "Internal error");
  else reply = failure(status, "Error");
  return contentType ? { ...reply, headers: { "Content-Type": contentType } } : reply;
}

function receivedRequest(
  method: string,
  rawPath: string,
  rawQuery: string,
  req: IncomingMessage,
  body: Buffer,
): ReceivedRequest {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    if (!headers.has(name)) headers.set(name, req.rawHeaders[i + 1] as string);
  }
  const parameters = parseParameters(rawQuery);
  // Like Tomcat, only a POST's form body is read as parameters.
  const contentType = (headers.get("content-type") ?? "").toLowerCase();
  const formBody = method === "POST" && contentType.startsWith("application/x-www-form-urlencoded");
  if (formBody) parameters.push(...parseParameters(body.toString("utf8")));
  return { method, rawPath, rawQuery, parameters, headers, body, formBody };
}

/** `a=1&b=2` with `+` as space; a field whose encoding is broken is skipped, as Tomcat does. */
function parseParameters(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split("&")) {
    if (part === "") continue;
    const split = part.indexOf("=");
    const rawName = split < 0 ? part : part.slice(0, split);
    const rawValue = split < 0 ? "" : part.slice(split + 1);
    try {
      const name = decodeURIComponent(rawName.replace(/\+/g, " "));
      const value = decodeURIComponent(rawValue.replace(/\+/g, " "));
      if (name !== "") out.push([name, value]);
    } catch {
      // skipped
    }
  }
  return out;
}
