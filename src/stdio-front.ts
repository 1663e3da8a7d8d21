import { PassThrough, type Readable, type Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * The start of a stdio session, answered before the MCP SDK and the tools have loaded (they take
 * most of a cold start): `initialize`, `notifications/initialized`, `ping` and `tools/list`, from
 * what the SDK server answered at build time (src/stdio-answers.ts). Everything else, and every
 * message after the first one the front does not answer, is kept, in order, for the SDK: the
 * front then hands the stream to the SDK's StdioServerTransport, replaying the client's
 * `initialize` first so that the SDK server knows the client (its capabilities, elicitation among
 * them) and dropping the SDK's answer to that replay. A message the front is not sure the SDK
 * would take as it is (an unusual field, a malformed value) is left to the SDK.
 */

/** The SDK server's results for one configuration, recorded at build time. */
export interface StdioAnswers {
  /** The `initialize` result for each protocol version the SDK supports. */
  initialize: Record<string, unknown>;
  /** The `initialize` result for any other version (the SDK answers with its latest). */
  initializeOther: unknown;
  ping: unknown;
  toolsList: unknown;
}

export interface StdioFront {
  /** Resolves once the SDK should be loaded: the listing was answered, a message waits for the SDK, stdin ended, or `loadAfterMs` passed. */
  readonly loadWanted: Promise<void>;
  /**
   * Gives the stream to the SDK: `connect` gets a StdioServerTransport to connect the server to; the
   * replayed `initialize`, then every kept message, then the rest of stdin reach it in order.
   * `onEnd` runs once stdin has ended and the SDK has read all of it. `onReplayRefused` runs if the
   * SDK answered the replayed `initialize` with an error (the front's check let through what the
   * SDK does not take).
   */
  handOver(connect: (transport: Transport) => Promise<void>, onEnd: () => void, onReplayRefused: (error: unknown) => void): Promise<void>;
}

export interface StdioFrontOptions {
  input?: Readable;
  output?: Writable;
  /** A client that has not asked for the listing by then gets the SDK loaded anyway. */
  loadAfterMs?: number;
}

/** The ID of the replayed `initialize`: no client's, so that the SDK's answer to it is known. */
const REPLAYED_ID = "sn-tokens-mcp:replayed-initialize";
const NEWLINE = 0x0a;

type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };

export function startStdioFront(answers: StdioAnswers, options: StdioFrontOptions = {}): StdioFront {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  /** Bytes not yet read as lines, then (once `passive`) every byte for the SDK. */
  let kept: Buffer[] = [];
  let passive = false;
  let ended = false;
  const replay: string[] = [];
  let wantLoad!: () => void;
  const loadWanted = new Promise<void>((resolve) => (wantLoad = resolve));
  const timer = setTimeout(() => wantLoad(), options.loadAfterMs ?? 50);
  void loadWanted.then(() => clearTimeout(timer));

  const reply = (id: unknown, result: unknown) => output.write(`${JSON.stringify({ result, jsonrpc: "2.0", id })}\n`);

  /** Answers `line` when the front knows the SDK's answer; false leaves it (and what follows) to the SDK. */
  const answer = (line: string): boolean => {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      return false;
    }
    if (!isPlainObject(message) || message.jsonrpc !== "2.0" || !hasOnly(message, ["jsonrpc", "id", "method", "params"])) return false;
    const isRequest = typeof message.id === "string" || Number.isSafeInteger(message.id);
    if (!isRequest && message.id !== undefined) return false;
    const { method, params } = message;
    if (replay.length === 0) {
      if (method !== "initialize" || !isRequest || !isInitializeParams(params)) return false;
      replay.push(JSON.stringify({ jsonrpc: "2.0", id: REPLAYED_ID, method, params }));
      reply(message.id, answers.initialize[params.protocolVersion] ?? answers.initializeOther);
      return true;
    }
    if (!isEmptyParams(params)) return false;
    if (method === "notifications/initialized" && !isRequest) {
      replay.push(line);
      return true;
    }
    if (!isRequest) return false;
    if (method === "ping") {
      reply(message.id, answers.ping);
      return true;
    }
    if (method === "tools/list") {
      reply(message.id, answers.toolsList);
      wantLoad();
      return true;
    }
    return false;
  };

  const onData = (chunk: Buffer) => {
    kept.push(chunk);
    if (passive) return;
    let pending = Buffer.concat(kept);
    let newline: number;
    while ((newline = pending.indexOf(NEWLINE)) >= 0) {
      if (!answer(pending.toString("utf8", 0, newline).replace(/\r$/, ""))) {
        passive = true;
        wantLoad();
        break;
      }
      pending = pending.subarray(newline + 1);
    }
    kept = [pending];
  };
  const onEnd = () => {
    ended = true;
    wantLoad();
  };
  let transport: Transport | undefined;
  input.on("data", onData);
  input.once("end", onEnd);
  // As StdioServerTransport reports a stdin error: to the server's onerror, once there is one.
  input.on("error", (error: Error) => transport?.onerror?.(error));

  return {
    loadWanted,
    async handOver(connect, onSdkEnd, onReplayRefused) {
      passive = true;
      const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
      const sdkInput = new PassThrough();
      const stdio = new StdioServerTransport(sdkInput, output);
      const send = stdio.send.bind(stdio);
      let replayAnswered = replay.length === 0;
      stdio.send = (message: JSONRPCMessage) => {
        if (replayAnswered || !("id" in message) || message.id !== REPLAYED_ID || "method" in message) return send(message);
        replayAnswered = true;
        if ("error" in message) onReplayRefused(message.error);
        return Promise.resolve();
      };
      transport = stdio;
      await connect(stdio);
      // From here to the pipe, nothing is awaited: no chunk can come in between.
      sdkInput.once("end", onSdkEnd);
      for (const line of replay) sdkInput.write(`${line}\n`);
      for (const chunk of kept) sdkInput.write(chunk);
      kept = [];
      input.off("data", onData);
      input.off("end", onEnd);
      if (ended) sdkInput.end();
      else input.pipe(sdkInput);
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function hasOnly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

function isEmptyParams(params: unknown): boolean {
  return params === undefined || (isPlainObject(params) && Object.keys(params).length === 0);
}

interface InitializeParams {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown>;
}

const OPTIONAL_TEXT = ["title", "websiteUrl", "description"];

/** Params the SDK's InitializeRequestSchema certainly takes as they are; anything else is left to it. */
function isInitializeParams(params: unknown): params is InitializeParams {
  if (!isPlainObject(params) || !hasOnly(params, ["protocolVersion", "capabilities", "clientInfo"])) return false;
  const { protocolVersion, capabilities, clientInfo } = params;
  if (typeof protocolVersion !== "string" || !isPlainObject(clientInfo) || !isPlainObject(capabilities)) return false;
  if (typeof clientInfo.name !== "string" || typeof clientInfo.version !== "string") return false;
  if (!hasOnly(clientInfo, ["name", "version", ...OPTIONAL_TEXT])) return false;
  if (!OPTIONAL_TEXT.every((key) => clientInfo[key] === undefined || typeof clientInfo[key] === "string")) return false;
  return isCapabilityTree(capabilities, "");
}

/** The two capability fields the SDK's schema wants as booleans; every other one it takes as any object. */
const BOOLEAN_CAPABILITIES = ["roots.listChanged", "elicitation.form.applyDefaults"];

/** Objects all the way down, but for the boolean fields above. */
function isCapabilityTree(value: Record<string, unknown>, path: string): boolean {
  return Object.entries(value).every(([key, field]) => {
    const at = path === "" ? key : `${path}.${key}`;
    if (BOOLEAN_CAPABILITIES.includes(at)) return typeof field === "boolean";
    return isPlainObject(field) && isCapabilityTree(field, at);
  });
}
