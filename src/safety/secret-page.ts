import { randomBytes, randomUUID } from "node:crypto";
import type { NewCredential } from "./new-credential.js";

/**
 * One-time pages that show a new token's secret to the person, in their browser, so that it never
 * passes through the model (url delivery). A page lives at a random path (the path is the key that
 * opens it), answers one GET, and is gone after it or after ten minutes, whichever comes first.
 */

export const PAGE_PATH_PREFIX = "/secret/";
export const PAGE_LIFETIME_MS = 10 * 60_000;
/** 128 bits of the path that only the person's prompt carries. */
const PATH_KEY_BYTES = 16;

export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface PublishedPage {
  url: string;
  /** Takes the page down, unless it was viewed already; says which (true: it was viewed, and stays so). */
  withdraw(): boolean;
  /** Names this page's prompt to the client; carries nothing of the path. */
  elicitationId: string;
  expiresAt: number;
}

/** Where pages are served: an origin such as `http://127.0.0.1:53211`, and how to stop serving there. */
export interface PageHost {
  origin: string;
  close(): Promise<void>;
}

export interface SecretPages {
  /** Makes sure pages can be served (starts the loopback listener on first use); throws when they cannot. */
  ready(): Promise<void>;
  /** `onViewed` runs once, when the person opens the page (it must not throw). */
  publish(credential: NewCredential, secret: string, onViewed?: (elicitationId: string) => void): Promise<PublishedPage>;
  /** The answer to a request for `path` (no query), or undefined when the path is not a page's. */
  respond(method: string, path: string): PageResponse | undefined;
  /** HTTP mode: the pages are served by its listener, at this origin, instead of a listener of their own. */
  serveAt(origin: string): void;
  close(): Promise<void>;
}

export interface SecretPagesOptions {
  /** Wall clock, epoch ms: a page's expiry is judged by it at request time. */
  clock: () => number;
  /** Starts a loopback listener that answers with `respond` (stdio mode). */
  listen(respond: SecretPages["respond"]): Promise<PageHost>;
  /** Registers the path key as a secret, so that no output (log line, result) can carry it. */
  protect(secret: string): void;
}

interface Page {
  /** The page that shows the secret; dropped on the one view, after which the page only says it was viewed. */
  body: string | undefined;
  expiresAt: number;
  timer: NodeJS.Timeout;
  viewed(): void;
}

export function secretPages({ clock, listen, protect }: SecretPagesOptions): SecretPages {
  const pages = new Map<string, Page>();
  let host: Promise<PageHost> | undefined;

  const respond = (method: string, path: string): PageResponse | undefined => {
    if (!path.startsWith(PAGE_PATH_PREFIX)) return undefined;
    // HEAD and every other method answer without opening the page: only a GET spends it.
    if (method !== "GET") return notice(405, "Method not allowed", "This page answers GET only.", { Allow: "GET" });
    const key = path.slice(PAGE_PATH_PREFIX.length);
    const page = pages.get(key);
    if (!page || clock() >= page.expiresAt) {
      if (page) drop(key, page);
      return notice(410, "This page has expired", `A one-time secret page lasts ${PAGE_LIFETIME_MS / 60_000} minutes, and this one is gone (or never existed). ${ROTATE_HINT}`);
    }
    const { body } = page;
    if (body === undefined) {
      return notice(410, "This secret was already viewed", `The page showed it once and will not show it again. ${ROTATE_HINT}`);
    }
    page.body = undefined;
    page.viewed();
    return { status: 200, headers: PAGE_HEADERS, body };
  };

  const drop = (key: string, page: Page) => {
    clearTimeout(page.timer);
    pages.delete(key);
  };

  const origin = async (): Promise<string> => {
    host ??= listen(respond);
    return (await host).origin;
  };

  return {
    async ready() {
      try {
        await origin();
      } catch (error) {
        host = undefined;
        throw error;
      }
    },
    async publish(credential, secret, onViewed) {
      const at = await origin();
      const key = randomBytes(PATH_KEY_BYTES).toString("base64url");
      protect(key);
      const expiresAt = clock() + PAGE_LIFETIME_MS;
      // Drops the page from memory; whether it has expired is still judged by the clock at request time.
      const timer = setTimeout(() => pages.delete(key), PAGE_LIFETIME_MS).unref();
      const elicitationId = randomUUID();
      const page = { body: secretHtml(credential, secret), expiresAt, timer, viewed: () => onViewed?.(elicitationId) };
      pages.set(key, page);
      const withdraw = () => {
        if (page.body === undefined) return true;
        drop(key, page);
        return false;
      };
      return { url: `${at}${PAGE_PATH_PREFIX}${key}`, elicitationId, expiresAt, withdraw };
    },
    respond,
    serveAt(at) {
      host = Promise.resolve({ origin: at, close: async () => {} });
    },
    async close() {
      for (const [key, page] of pages) drop(key, page);
      const closing = host;
      host = undefined;
      await (await closing?.catch(() => undefined))?.close();
    },
  };
}

const ROTATE_HINT = "The token itself still works: to get a new secret, ask the assistant to rotate it (rotate_token), or delete it if it is not needed.";

/** Nothing on the page may load, run, be framed, cached or leak the address it came from. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function notice(status: number, title: string, text: string, headers: Record<string, string> = {}): PageResponse {
  return { status, headers: { ...PAGE_HEADERS, ...headers }, body: html(title, `<p>${escapeHtml(text)}</p>`) };
}

function secretHtml(credential: NewCredential, secret: string): string {
  const lines = credential.lines.map(([name, value]) => `${name}=${value}`).join("\n");
  return html(
    "Your new token's secret",
    `<p>Token <code>${escapeHtml(credential.tokenId)}</code></p>` +
      `<p>Secret: <code>${escapeHtml(secret)}</code></p>` +
      `<p>The lines a tool reads:</p><pre>${escapeHtml(lines)}</pre>` +
      "<p>This page shows the secret once: copy it to a safe place now. Reloading shows nothing.</p>",
  );
}

function html(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}" +
    "code,pre{font-family:ui-monospace,monospace;background:#f3f3f3;padding:.2rem .4rem;word-break:break-all;white-space:pre-wrap}</style>" +
    `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
