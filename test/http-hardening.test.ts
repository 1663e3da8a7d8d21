import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpListener, type HttpListener } from "../src/http/listener.js";
import { readHttpOptions, type HttpOptions } from "../src/http/options.js";
import { createLogger } from "../src/log.js";
import { Redactor } from "../src/safety/redact.js";

const BEARER = "test-bearer-0123456789abcdef0123456789abcdef";
let listener: HttpListener | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await listener?.close(0);
  listener = undefined;
});

async function listen(overrides: Partial<HttpOptions> = {}): Promise<{ listener: HttpListener; logs: string[]; served: () => number }> {
  const logs: string[] = [];
  let served = 0;
  const options = { ...readHttpOptions({ SN_MCP_HTTP_TOKEN: BEARER }, { port: "0" }), ...overrides };
  listener = await startHttpListener({
    options,
    log: createLogger("info", new Redactor(), (line) => logs.push(line)),
    async handle(_req, res) {
      served++;
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
    },
  });
  return { listener, logs, served: () => served };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
    sockets.push(socket);
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));

function request(port: number, head: string, body = ""): Promise<{ reply: string; socket: Socket }> {
  return open(port).then(
    (socket) =>
      new Promise((resolve) => {
        let reply = "";
        socket.on("data", (chunk) => (reply += chunk.toString()));
        socket.once("close", () => resolve({ reply, socket }));
        socket.write(head + body);
      }),
  );
}

const POST = (headers: string, length: number) =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${listener?.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${length}\r\n${headers}\r\n`;

describe("HTTP mode under a flood", () => {
  it("caps connections and closes idle ones, so a legitimate client gets in again", async () => {
    const { listener, served } = await listen({ maxConnections: 5, headersTimeoutMs: 300 });
    const idle = await Promise.all(Array.from({ length: 5 }, () => open(listener.port)));
    const extra = await open(listener.port);
    await closed(extra); // refused at once: the cap is full
    await Promise.all(idle.map(closed)); // sent no request in time: cut
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const { reply } = await request(listener.port, POST(`Authorization: Bearer ${BEARER}\r\nConnection: close\r\n`, body.length), body);
    expect(reply).toMatch(/^HTTP\/1.1 200/);
    expect(served()).toBe(1);
  });

  it("answers a request without the bearer before reading its body, and closes the connection", async () => {
    const { listener } = await listen();
    // Declares 100 MB and sends almost none of it: the 401 comes anyway and the server hangs up.
    const { reply } = await request(listener.port, POST("", 100 * 1024 * 1024), "x".repeat(1024));
    expect(reply).toMatch(/^HTTP\/1.1 401/);
    expect(reply).toMatch(/Connection: close/i);
  });

  it("logs a bounded number of lines for a thousand refused requests", async () => {
    const { listener, logs } = await listen();
    for (let i = 0; i < 1_000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => request(listener.port, POST("", 2), "{}")));
    }
    const refusals = logs.filter((line) => line.includes("HTTP request refused"));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThanOrEqual(2);
  });
});
