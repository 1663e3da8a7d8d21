import { readFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { jsonSchemaValidator as JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  type CallToolRequest,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type RequestId,
  type Tool as ListedTool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { randomUUID } from "node:crypto";
import type { Logger } from "./log.js";
import type { AuditEntry, AuditJournal } from "./safety/audit.js";
import type { RateLimiter } from "./safety/rate-limit.js";
import { askedFor, subjectOf, type CallAuth } from "./safety/caller.js";
import type { PromptingSession, SecretDelivery } from "./safety/secret-delivery.js";
import type { Redactor } from "./safety/redact.js";
import { DeclinedError, errorText, isExpectedFailure, PartialFailureError, RefusedError, ToolError, UserInputError } from "./core/errors.js";
import type { Labels } from "./sandbox/label.js";
import { invalidArgumentsText } from "./tools/errors.js";
import type { Tool, ToolContext } from "./tools/tool.js";
import { progressFor, type ProgressOrigin } from "./tools/progress.js";
import { PAGE_LIFETIME_MS } from "./safety/secret-page.js";
import { toolListing } from "./listing.js";

/**
 * The MCP server, through the SDK: a tool list in, an MCP server out. (The stdio front,
 * src/stdio-front.ts, answers a session's first messages with this server's own recorded answers,
 * then hands the SDK's stdio transport to it; src/http/streamable.ts connects it to the SDK's
 * Streamable HTTP transport.)
 */

export const SERVER_NAME = "sn-tokens-mcp";
export const SERVER_VERSION: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).version;

export interface McpServerOptions<Service> {
  /** The backend's name, as messages name it: "SolarNetwork". */
  backend: string;
  instructions: string;
  tools: readonly Tool<z.ZodObject, z.ZodObject, Service>[];
  context: Omit<ToolContext<Service>, "signal" | "confirm" | "delivery" | "progress">;
  /** A call's secret delivery, from the session it came on (url delivery prompts through it). */
  deliveryFor(session: PromptingSession): SecretDelivery;
  redactor: Redactor;
  log: Logger;
  audit: AuditJournal;
  /** Shared by every server the process makes (HTTP mode makes one per session and per stateless request in flight). */
  rateLimits: RateLimiter;
  /** Sandbox mode: the instructions, every tool and every result say so. */
  labels?: Labels;
}

export interface McpServerHandle {
  connect(transport: Transport): Promise<void>;
  connectStdio(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Makes MCP servers for these tools: the listing (JSON Schemas) is built once, here; each server
 * made after (HTTP mode makes one per session and per stateless request in flight) only wires its handlers.
 */
export interface McpServerFactory {
  (): McpServerHandle;
  /**
   * Resolves once no tool call of any server made here is running, or after `graceMs`: a write
   * already sent (a create whose secret must be delivered or whose token deleted again) finishes
   * before the process lets go of its connection pool.
   */
  whenIdle(graceMs: number): Promise<void>;
}

export function mcpServerFactory<Service>(options: McpServerOptions<Service>): McpServerFactory {
  const { tools } = options;
  const listed = toolListing(tools);
  const { labels } = options;
  const prepared: Prepared<Service> = {
    instructions: options.instructions + (labels?.instructions ?? ""),
    byName: new Map(tools.map((tool) => [tool.name, tool])),
    listing: labels ? listed.map(labels.tool) : listed,
    // The SDK would build an Ajv instance (with its formats) per server: one per process instead,
    // and only once a schema needs checking (an elicitation's answer): start-up does not pay for it.
    validator: lazyValidator(),
  };
  const running = new Set<Promise<unknown>>();
  const track = <T>(call: Promise<T>): Promise<T> => {
    running.add(call);
    void call.finally(() => running.delete(call)).catch(() => undefined);
    return call;
  };
  const whenIdle = async (graceMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs).unref()));
    await Promise.race([Promise.allSettled([...running]), grace]);
    clearTimeout(timer);
  };
  return Object.assign(() => createMcpServer(options, prepared, track), { whenIdle });
}

/** The call a question to the client belongs to: its abort signal, its request ID (which names its response stream) and whom it is for. */
interface CallOrigin extends CallAuth, ProgressOrigin {
  signal: AbortSignal;
  requestId: RequestId;
}

interface Prepared<Service> {
  instructions: string;
  byName: ReadonlyMap<string, Tool<z.ZodObject, z.ZodObject, Service>>;
  listing: ListedTool[];
  validator: JsonSchemaValidator;
}

function createMcpServer<Service>(
  options: McpServerOptions<Service>,
  { instructions, byName, listing, validator }: Prepared<Service>,
  track: <T>(call: Promise<T>) => Promise<T>,
): McpServerHandle {
  const { context, redactor, log, audit, labels } = options;
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { capabilities: { tools: {} }, instructions, jsonSchemaValidator: validator },
  );

  /** Asks the person, through the client, to allow a change; throws when they or the operator say no. */
  const confirm = async (question: string, origin: CallOrigin): Promise<void> => {
    const { signal, requestId } = origin;
    if (!server.getClientCapabilities()?.elicitation?.form) {
      if (context.guardrails.withoutElicitation === "proceed") return;
      throw new RefusedError(
        "SN_MCP_WITHOUT_ELICITATION",
        `this change needs a person's confirmation and this MCP client cannot ask for it. Make the change in ${options.backend} directly, or the operator can set SN_MCP_WITHOUT_ELICITATION=proceed.`,
      );
    }
    let answer;
    try {
      answer = await server.elicitInput(
        {
          mode: "form",
          // The question quotes token data: the same redaction as every other output.
          message: redactor.text(askedFor(question, subjectOf(origin))),
          requestedSchema: CONFIRMATION_SCHEMA,
        },
        // Over HTTP the question travels on the call's own response stream.
        { signal, relatedRequestId: requestId },
      );
    } catch (error) {
      log.warn("the confirmation question got no answer", { error: String(error) });
      throw new ToolError("No answer came to the confirmation question (the client timed out or failed to ask), so nothing was changed.");
    }
    if (answer.action !== "accept" || answer.content?.allow !== true) {
      throw new DeclinedError();
    }
  };

  /** The session as url delivery sees it, for one call. */
  const prompting = (origin: CallOrigin): PromptingSession => ({
    canOpenUrl: Boolean(server.getClientCapabilities()?.elicitation?.url),
    async openUrl({ message, url, elicitationId }) {
      try {
        // The URL opens the page: it goes to the client, which shows it to the person, and nowhere else.
        const prompt = { mode: "url" as const, message: redactor.text(askedFor(message, subjectOf(origin))), url, elicitationId };
        // As long as the page lives: a person may take minutes to open it (the SDK's default is 60 s).
        return (await server.elicitInput(prompt, { signal: origin.signal, relatedRequestId: origin.requestId, timeout: PAGE_LIFETIME_MS })).action;
      } catch (error) {
        log.warn("the prompt offering a secret page got no answer", { error: String(error) });
        throw error;
      }
    },
    completed(elicitationId) {
      // MCP's notifications/elicitation/complete; a client that has gone (or an HTTP session with no stream open) just misses it.
      const missed = (error: unknown) => log.debug("the page-viewed notice did not reach the client", { error: String(error) });
      try {
        server.createElicitationCompletionNotifier(elicitationId)().catch(missed);
      } catch (error) {
        missed(error);
      }
    },
  });

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listing }));
  const callTool = async (request: CallToolRequest, extra: CallOrigin): Promise<CallToolResult> => {
    // Only the selected tools are in byName: a call to any other is refused here, at call time.
    const tool = byName.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    const args = request.params.arguments ?? {};
    const unknownKeys = Object.keys(args)
      .filter((key) => !Object.hasOwn(tool.input.shape, key))
      .map((key) => (key === PROTO_KEY_MARKER ? "__proto__" : key));
    if (unknownKeys.length > 0) return errorResult(unknownArgumentsText(unknownKeys, options.backend, tool.refusedArguments), redactor);
    const input = tool.input.safeParse(args);
    if (!input.success) return errorResult(invalidArgumentsText(input.error, args, options.backend), redactor);
    const writes = !tool.annotations.readOnlyHint;
    const subject = subjectOf(extra);
    // Only calls that could run take from the budget: an invalid one changes nothing.
    const limits = options.rateLimits.for(subject);
    const limit = (writes ? limits.writes : limits.reads)?.take();
    if (limit && !limit.allowed) {
      const seconds = Math.ceil(limit.retryAfterMs / 1000);
      return errorResult(`Too many ${writes ? "changes" : "calls"} in a short time. Try again in ${seconds} s.`, redactor);
    }

    const callId = randomUUID();
    const { displayMode: _displayMode, ...change } = input.data as Record<string, unknown>;
    const tokenId = typeof change.tokenId === "string" ? change.tokenId : undefined;
    if (writes) {
      try {
        audit.record({ phase: "attempt", callId, tool: tool.name, subject, tokenId, change });
      } catch (error) {
        log.error("the audit journal could not be written; the change was refused", { tool: tool.name, error: String(error) });
        return errorResult(AUDIT_REFUSED, redactor);
      }
    }
    /** After the change: a journal that fails must not turn a success (and a new secret) into an error. */
    const recordOutcome = (entry: Omit<AuditEntry, "phase" | "callId" | "tool" | "subject">): string | undefined => {
      try {
        audit.record({ phase: "outcome", callId, tool: tool.name, subject, ...entry });
        return undefined;
      } catch (error) {
        log.error("AUDIT JOURNAL WRITE FAILED after the change was made: the journal is missing this outcome", {
          tool: tool.name,
          callId,
          tokenId: entry.tokenId,
          error: String(error),
        });
        return AUDIT_OUTCOME_FAILED;
      }
    };
    try {
      const result = await tool.run(input.data, {
        ...context,
        signal: extra.signal,
        confirm: (question) => confirm(question, extra),
        delivery: options.deliveryFor(prompting(extra)),
        progress: progressFor(extra, (text) => redactor.text(text), (error) => log.debug("a progress notice did not reach the client", { error: String(error) })),
      });
      const structured = result.structured as { token?: { id: string }; applied?: string[] };
      const auditFailure = writes
        ? recordOutcome({ tokenId: tokenId ?? structured.token?.id, outcome: "applied", applied: structured.applied })
        : undefined;
      return {
        content: [
          { type: "text", text: redactor.text(result.text, result.reveal) },
          ...(auditFailure ? [{ type: "text" as const, text: auditFailure }] : []),
        ],
        structuredContent: redactor.value(result.structured, result.reveal),
      };
    } catch (error) {
      // A bad argument is found while planning, before any change is sent: say so, as the schema's refusals do.
      const text = error instanceof UserInputError ? `${errorText(error)}\nNothing was changed in ${options.backend}.` : errorText(error);
      if (isExpectedFailure(error)) {
        log.info("tool call failed", { tool: tool.name, error: text });
      } else {
        log.error("tool failed unexpectedly", { tool: tool.name, error: String(error), stack: (error as Error)?.stack });
      }
      if (writes) {
        const partial = error instanceof PartialFailureError;
        const auditFailure = recordOutcome({
          tokenId,
          outcome: error instanceof RefusedError ? "refused" : partial ? "partially-applied" : "failed",
          applied: partial ? error.applied : undefined,
          message: text,
        });
        if (auditFailure) return errorResult(`${text}\n${auditFailure}`, redactor);
      }
      return errorResult(text, redactor);
    }
  };
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const result = await track(callTool(request, extra));
    return labels ? labels.result(result) : result;
  });

  return {
    connect: (transport) => connectGuarded(server, transport),
    connectStdio: () => connectGuarded(server, new StdioServerTransport()),
    close: () => server.close(),
  };
}

/**
 * One object for every question: the shared validator compiles the answer's schema once and caches
 * it by identity, where a fresh object per question would add a compiled schema each time.
 */
const CONFIRMATION_SCHEMA = {
  type: "object" as const,
  properties: { allow: { type: "boolean" as const, title: "Allow this change", default: false } },
  required: ["allow"],
};

const AUDIT_REFUSED =
  "The audit journal (SN_MCP_AUDIT_LOG) could not be written, so this change was refused and nothing was sent. The operator should check SN_MCP_AUDIT_LOG.";
const AUDIT_OUTCOME_FAILED =
  "Note: the change above was made, but writing its audit entry failed (SN_MCP_AUDIT_LOG); the operator has been told in the server log.";

/**
 * The SDK's argument decoding drops a `__proto__` key without a word: renamed before it, the key
 * reaches the handler and is refused like any other unknown argument.
 */
const PROTO_KEY_MARKER = "\u0000__proto__";

async function connectGuarded(server: Server, transport: Transport): Promise<void> {
  await server.connect(transport);
  const deliver = transport.onmessage;
  if (!deliver) return;
  transport.onmessage = (message, extra) => {
    const params = (message as { params?: { arguments?: unknown } }).params;
    const args = params?.arguments;
    if (args !== null && typeof args === "object" && Object.hasOwn(args, "__proto__")) {
      const renamed: Record<string, unknown> = {};
      for (const key of Object.keys(args)) renamed[key === "__proto__" ? PROTO_KEY_MARKER : key] = (args as Record<string, unknown>)[key];
      params!.arguments = renamed;
    }
    deliver(message, extra);
  };
}

function unknownArgumentsText(keys: readonly string[], backend: string, refused: Readonly<Record<string, string>> = {}): string {
  const hints = keys.filter((key) => Object.hasOwn(refused, key)).map((key) => `"${key}": ${refused[key]}`);
  return `Unknown argument${keys.length > 1 ? "s" : ""} ${keys.map((key) => JSON.stringify(key)).join(", ")}: remove ${keys.length > 1 ? "them" : "it"}.${hints.map((hint) => `\n${hint}`).join("")}\nNothing was sent to ${backend}.`;
}

function errorResult(text: string, redactor: Redactor): CallToolResult {
  return { isError: true, content: [{ type: "text", text: redactor.text(text) }] };
}

/** One Ajv validator, made at its first use. */
function lazyValidator(): JsonSchemaValidator {
  let ajv: AjvJsonSchemaValidator | undefined;
  return { getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema) };
}
