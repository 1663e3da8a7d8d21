import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log.js";
import { replyWithError } from "./listener.js";

/**
 * HTTP mode's MCP sessions. An `initialize` POST opens one (its own MCP server, kept until the
 * client DELETEs it, it idles out, or the server stops); a request carrying its `Mcp-Session-Id`
 * goes to it. A request that names no session and opens none is served statelessly, as before
 * sessions. The requests reaching here have passed every check of the listener: a session ID
 * only routes, it is never a credential, and with OAuth a session serves only the subject that
 * opened it. SDK-free: `open` makes the session itself.
 */

const SESSION_HEADER = "mcp-session-id";

export interface Session {
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** False until its `initialize` has been answered, and for good when that failed. */
  readonly initialized: boolean;
  close(): Promise<void>;
}

export interface SessionLimits {
  /** Open sessions at most; when full, a new `initialize` closes the longest-idle one, or gets 503 if none is idle. */
  maxSessions: number;
  /** A session with no request for this long is closed. */
  idleMs: number;
}

export interface SessionRouterOptions {
  limits: SessionLimits;
  /** Epoch ms (tests move it). */
  clock: () => number;
  log: Logger;
  /** Opens the session `id`; it calls `onClosed` when it ends. */
  open(id: string, onClosed: () => void): Promise<Session>;
  /** Serves a request that names no session and opens none. */
  stateless(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
}

export interface SessionRouter {
  /** Serves one MCP request (`body` undefined for DELETE). */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Sessions open now. */
  readonly size: number;
  /** Closes every session; calls still running in them are aborted. */
  closeAll(): Promise<void>;
}

interface Entry {
  session: Session;
  /** Requests of this session not yet answered: a busy session is never idle. */
  busy: number;
  lastUsed: number;
  /** The OAuth subject that opened it (undefined with the static bearer). */
  subject: string | undefined;
}

/** How often idle sessions are looked for, at most. */
const SWEEP_INTERVAL_MS = 60_000;

export function sessionRouter({ limits, clock, log, open, stateless }: SessionRouterOptions): SessionRouter {
  const entries = new Map<string, Entry>();
  /** Sessions being opened: they count against the cap before they are in `entries`. */
  let opening = 0;

  const isIdle = (entry: Entry) => entry.busy === 0 && clock() - entry.lastUsed >= limits.idleMs;
  const idledOut = `no request for ${Math.round(limits.idleMs / 60_000)} min`;

  const end = (id: string, entry: Entry, why: string) => {
    if (entries.get(id) !== entry) return;
    entries.delete(id);
    log.info(`HTTP session closed: ${why}`, { sessions: entries.size });
    entry.session.close().catch((error: unknown) => log.warn("an HTTP session did not close cleanly", { error: String(error) }));
  };

  const sweep = () => {
    for (const [id, entry] of entries) if (isIdle(entry)) end(id, entry, idledOut);
  };
  const sweeper = setInterval(sweep, Math.min(limits.idleMs, SWEEP_INTERVAL_MS));
  sweeper.unref();

  const serve = async (entry: Entry, req: IncomingMessage, res: ServerResponse, body: unknown) => {
    entry.busy++;
    entry.lastUsed = clock();
    res.once("close", () => {
      entry.busy--;
      entry.lastUsed = clock();
    });
    await entry.session.handle(req, res, body);
  };

  /** Room for one more session: true when there is (a long-idle one closed if need be). */
  const makeRoom = (): boolean => {
    sweep();
    if (entries.size + opening < limits.maxSessions) return true;
    let oldest: [string, Entry] | undefined;
    for (const pair of entries) if (pair[1].busy === 0 && (!oldest || pair[1].lastUsed < oldest[1].lastUsed)) oldest = pair;
    if (!oldest) return false;
    end(oldest[0], oldest[1], `the longest idle, to make room (at most ${limits.maxSessions})`);
    return true;
  };

  const openSession = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    if (!makeRoom()) {
      log.warn("HTTP session refused: every session is in use", { limit: limits.maxSessions });
      return replyWithError(res, 503, -32000, `Too many MCP sessions: all ${limits.maxSessions} are in use. Try again shortly.`, { "Retry-After": "5" });
    }
    const id = randomUUID();
    let entry: Entry;
    opening++;
    try {
      const session = await open(id, () => end(id, entry, "ended by the client"));
      entry = { session, busy: 0, lastUsed: clock(), subject: subjectOf(req) };
      entries.set(id, entry);
    } finally {
      opening--;
    }
    // An `initialize` the server refused opened nothing: its session goes at once.
    res.once("close", () => {
      if (!entry.session.initialized) end(id, entry, "its initialize failed");
    });
    await serve(entry, req, res, body);
    if (entry.session.initialized) log.info("HTTP session opened", { sessions: entries.size });
  };

  return {
    async handle(req, res, body) {
      const id = req.headers[SESSION_HEADER];
      if (typeof id === "string") {
        const entry = entries.get(id);
        // Checked here too: the sweep runs only now and then.
        if (entry && isIdle(entry)) end(id, entry, idledOut);
        // Another subject's session is, to this caller, no session at all.
        else if (entry && entry.subject === subjectOf(req)) return serve(entry, req, res, body);
        return replyWithError(res, 404, -32001, "Session not found: it ended or expired. Start a new one with initialize (without Mcp-Session-Id).");
      }
      if (req.method === "DELETE") return replyWithError(res, 400, -32000, "DELETE ends a session: send the session's Mcp-Session-Id header.");
      if (isInitialize(body)) return openSession(req, res, body);
      return stateless(req, res, body);
    },
    get size() {
      return entries.size;
    },
    async closeAll() {
      clearInterval(sweeper);
      const all = [...entries.values()];
      entries.clear();
      await Promise.allSettled(all.map((entry) => entry.session.close()));
    },
  };
}

function isInitialize(body: unknown): boolean {
  return typeof body === "object" && body !== null && !Array.isArray(body) && (body as { method?: unknown }).method === "initialize";
}

/** The OAuth subject the listener found on the request (see listener.ts's authInfo). */
function subjectOf(req: IncomingMessage): string | undefined {
  return (req as IncomingMessage & { auth?: { extra?: { subject?: string } } }).auth?.extra?.subject;
}
