import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** What every simulator's HTTP side does the same way: bodies, cut connections, queued faults, timers, closing. */

/** Bodies over this are answered by cutting the connection. */
const BODY_READ_LIMIT = 1024 * 1024;

/** Reads the whole body; `undefined` when the connection broke or the body is absurdly large. */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_READ_LIMIT) resolve(undefined);
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", () => resolve(undefined));
    req.on("aborted", () => resolve(undefined));
  });
}

/** Ends the connection without a reply: a TCP reset where the platform allows it. */
export function cut(socket: Socket): void {
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}

/** Faults queued by a test; each applies once, to the next request it matches. */
export function faultQueue<Fault>(matches: (fault: Fault, method: string, path: string) => boolean) {
  const faults: Fault[] = [];
  return {
    push: (fault: Fault) => void faults.push(fault),
    take(method: string, path: string): Fault | undefined {
      const index = faults.findIndex((fault) => matches(fault, method, path));
      return index < 0 ? undefined : faults.splice(index, 1)[0];
    },
  };
}

/** Delayed replies: each dropped when its response closes, all of them when the simulator closes. */
export function replyTimers() {
  const timers = new Set<NodeJS.Timeout>();
  return {
    later(ms: number, res: ServerResponse, action: () => void): void {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) action();
      }, ms);
      timers.add(timer);
      res.once("close", () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
    },
    /** Closes the server, its connections and every pending reply. */
    close(server: Server): Promise<void> {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
