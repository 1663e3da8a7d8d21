import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PageHost, PageResponse, SecretPages } from "../safety/secret-page.js";
import { buildAllowList, isAllowedHost } from "./checks.js";

/**
 * The loopback listener that serves the one-time secret pages in stdio mode (HTTP mode serves them
 * on its own listener): 127.0.0.1, a free port, only the pages, under the same Host rule as HTTP
 * mode (DNS-rebinding protection). It logs nothing: a page's path opens it.
 */
export async function listenForPages(respond: SecretPages["respond"]): Promise<PageHost> {
  let allow = buildAllowList("127.0.0.1", 0, [], []);
  const server = createServer((req, res) => {
    if (!isAllowedHost(req.headers.host, allow)) return writePage(res, FORBIDDEN);
    writePage(res, respond(req.method ?? "GET", pagePath(req)) ?? NOT_FOUND);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Stdio mode's process must still end when its client goes: the listener alone keeps nothing alive.
  server.unref();
  // A failing socket or listener must not end the process: a page just cannot be served then.
  server.on("error", () => {});
  const { port } = server.address() as AddressInfo;
  allow = buildAllowList("127.0.0.1", port, [], []);
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function pagePath(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

export function writePage(res: ServerResponse, page: PageResponse): void {
  res.writeHead(page.status, { ...page.headers, "Content-Length": Buffer.byteLength(page.body) });
  res.end(page.body);
}

const PLAIN = { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" };
const FORBIDDEN: PageResponse = { status: 403, headers: PLAIN, body: "Forbidden: this Host is not allowed.\n" };
const NOT_FOUND: PageResponse = { status: 404, headers: PLAIN, body: "Not found.\n" };
