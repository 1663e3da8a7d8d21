import type { z } from "zod";
import type { BackendCapabilities, TokenInventory } from "../core/token.js";
import type { Logger } from "../log.js";
import type { Exclusive } from "../safety/exclusive.js";
import type { Guardrails } from "../safety/guardrails.js";
import type { SecretDelivery } from "../safety/secret-delivery.js";
import type { Progress } from "./progress.js";

/** One MCP tool: its schemas, its annotations (all four hints, always explicit) and its handler. */

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** The backend as the tools that work on every backend see it. */
export interface BackendView {
  /** As messages name it: "SolarNetwork", "VAST VMS". */
  name: string;
  capabilities: BackendCapabilities;
  inventory: TokenInventory;
}

/** What a tool's handler gets: `tokens` is its backend's service, the rest is the same for every backend. */
export interface ToolContext<Service = unknown> {
  tokens: Service;
  backend: BackendView;
  /** Set when rotate_token mints a successor through create_token: the token it succeeds. */
  successorOf?: string;
  delivery: SecretDelivery;
  log: Logger;
  /** Wall clock, epoch ms. */
  now(): number;
  /** Registers a secret minted in this process, so that no later output can carry it. */
  protectSecret(secret: string): void;
  /** Text as every output shows it: registered secrets replaced. */
  redact(text: string): string;
  guardrails: Guardrails;
  /** The ID of the token this server authenticates with; undefined when it signs in otherwise (a password). */
  ownTokenId: string | undefined;
  /**
   * Asks the person (not the model) to allow a risky change, through MCP elicitation. Resolves
   * when allowed; throws a refusal when declined, or when the client cannot ask and the operator
   * said to refuse then.
   */
  confirm(question: string): Promise<void>;
  /** Runs a check-and-change (a cap check and its create) with no other such section of this process. */
  exclusive: Exclusive;
  /** Aborted when the client cancels the call. */
  signal: AbortSignal;
  /** Tells the client how far a long call is, when it asked (a progressToken); otherwise does nothing. */
  progress: Progress;
}

export interface ToolResult<Output> {
  structured: Output;
  text: string;
  /** The one secret this result may show: a new token's one-time reveal. */
  reveal?: string;
  /** Set when the person may not have a new token's secret (they declined its page): why. */
  unseen?: string;
}

export interface Tool<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject, Service = unknown> {
  name: string;
  title: string;
  description: string;
  input: Input;
  output: Output;
  annotations: ToolAnnotations;
  /**
   * Tools whose effect this one has (rotate_token creates as create_token does): it exists only
   * with them, so an operator who leaves create_token out leaves out every way to mint.
   */
  actsThrough?: readonly string[];
  /**
   * Set when some fields are described only in create_token's listing (the model reads each
   * description once): the description to list instead when create_token is not listed, its
   * fields then described from create_token's.
   */
  withoutCreate?: { description: string };
  /** Arguments a model may expect from another backend's tool of this name, with what to do instead. */
  refusedArguments?: Readonly<Record<string, string>>;
  run(input: z.output<Input>, context: ToolContext<Service>): Promise<ToolResult<z.output<Output>>>;
}

/** A `defineTool` for one backend's tools: their handlers get its service as `context.tokens`. */
export function toolsFor<Service>() {
  return <Input extends z.ZodObject, Output extends z.ZodObject>(tool: Tool<Input, Output, Service>): Tool<Input, Output, Service> => tool;
}
