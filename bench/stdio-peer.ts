import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/**
 * A bare MCP client over stdio: newline-delimited JSON-RPC, nothing else, so that what is timed is
 * the server, not a client library. Requests the server sends (none expected) are answered with
 * "method not found"; notifications are ignored.
 */
export interface StdioPeer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  request(method: string, params?: unknown): Promise<unknown>;
  /** Like `request`, but resolves to the size in bytes of the whole response line, and its result. */
  requestSized(method: string, params?: unknown): Promise<{ bytes: number; result: unknown }>;
  notify(method: string, params?: unknown): void;
  stderr(): string;
  /** Ends stdin, waits for the exit (killing after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

export const PROTOCOL_VERSION = "2025-06-18";

export function spawnPeer(command: string, args: readonly string[], env: Record<string, string>): StdioPeer {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  const pending = new Map<number, { resolve: (value: { bytes: number; result: unknown }) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let buffer = "";
  let errors = "";
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    exited = true;
    for (const { reject } of pending.values()) reject(new Error(`server exited (${code ?? signal}) before answering: ${errors.slice(-500)}`));
    pending.clear();
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (errors.length < 100_000) errors += chunk;
  });
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() === "") continue;
      const message = JSON.parse(line) as { id?: number; method?: string; result?: unknown; error?: { message: string } };
      if (message.method !== undefined) {
        if (message.id !== undefined) {
          write({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } });
        }
        continue;
      }
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter) continue;
      pending.delete(message.id as number);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve({ bytes: Buffer.byteLength(line, "utf8"), result: message.result });
    }
  });
  const write = (message: unknown) => child.stdin.write(JSON.stringify(message) + "\n");
  const requestSized = (method: string, params?: unknown) =>
    new Promise<{ bytes: number; result: unknown }>((resolve, reject) => {
      if (exited) return reject(new Error("server has exited"));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      write({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    });
  return {
    child,
    pid: child.pid as number,
    spawnedAt,
    requestSized,
    request: async (method, params) => (await requestSized(method, params)).result,
    notify: (method, params) => write({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) }),
    stderr: () => errors,
    async close(graceMs = 2000) {
      if (!exited) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

/** initialize, notifications/initialized: what every MCP client does first. */
export async function handshake(peer: StdioPeer): Promise<void> {
  await peer.request("initialize", {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: "sn-tokens-mcp-bench", version: "0" },
  });
  peer.notify("notifications/initialized");
}

/** VmRSS (resident now) or VmHWM (the peak of it) of a process, in bytes, from /proc/<pid>/status (Linux). */
export async function vmRss(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m").exec(status);
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}
