import type { IncomingMessage, ServerResponse } from "node:http";
import type { McpServerHandle } from "../server.js";

/**
 * Serves one Streamable HTTP request statelessly (no session): `server` is fresh for this request
 * and is closed, with its transport, when the response ends. Responses are plain JSON. This and
 * `openStreamableHttpSession` are the only users of the SDK's HTTP transport (loaded only in HTTP
 * mode); everything else about HTTP (auth, Host and Origin checks, size limits, the session table,
 * shutdown) is in src/http/, SDK-free.
 * `body` is the request's JSON, already read and parsed by the caller.
 */
export async function serveStreamableHttp(
  server: McpServerHandle,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  /** Called once the server is closed again, free to serve another request. */
  released: () => void = () => {},
): Promise<void> {
  const { StreamableHTTPServerTransport } = await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.once("close", () => void server.close().then(released, () => undefined));
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

/** One Streamable HTTP session: an MCP server and its transport, opened by an `initialize` request. */
export interface StreamableHttpSession {
  /** Serves one request of this session, the `initialize` that opens it included (`body` is undefined for DELETE). */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** False until its `initialize` has been answered, and for good when that failed. */
  readonly initialized: boolean;
  /** Ends the session: its calls still running are aborted and its streams end. */
  close(): Promise<void>;
}

/**
 * Opens the session `id` on `server` (fresh, used by this session only). Its responses are SSE
 * streams, so that a call can ask the client a question (a confirmation, a secret page's address)
 * on its own response stream and take the answer from a later POST. `onClosed` runs when the
 * session ends, whether by the client's DELETE or by `close`.
 */
export async function openStreamableHttpSession(server: McpServerHandle, id: string, onClosed: () => void): Promise<StreamableHttpSession> {
  const { StreamableHTTPServerTransport } = await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => id });
  // Set before connecting: the server chains its own close handling onto this one.
  transport.onclose = onClosed;
  await server.connect(transport);
  return {
    handle: (req, res, body) => transport.handleRequest(req, res, body),
    get initialized() {
      return transport.sessionId !== undefined;
    },
    close: () => server.close(),
  };
}
