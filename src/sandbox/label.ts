import type { CallToolResult, Tool as ListedTool } from "@modelcontextprotocol/sdk/types.js";

/**
 * Sandbox labelling: in sandbox mode the tools talk to the embedded local SolarUser, not to
 * SolarNetwork, and everything they show says so, so that neither the person nor the model takes
 * a sandbox token for a real one.
 */

/** Starts the first text block of every sandbox tool result, successful or not. */
export const SANDBOX_PREFIX = "[SANDBOX] ";

const RESULT_NOTE = `${SANDBOX_PREFIX}A local SolarNetwork simulator answered; its tokens do not work with SolarNetwork.`;

/** Set in every sandbox tool result's `_meta`, for clients that show it. */
export const SANDBOX_META_KEY = "sn-tokens-mcp/sandbox";

export const SANDBOX_INSTRUCTIONS =
  " This is a SANDBOX: a local SolarNetwork simulator. Its tokens exist only on this machine and do not work with SolarNetwork; say so whenever you show one.";

const DESCRIPTION_NOTE =
  "[SANDBOX: a local SolarNetwork simulator. Tokens made here exist only on this machine and do not work with SolarNetwork.] ";

export function labelSandboxTool(tool: ListedTool): ListedTool {
  const title = `${tool.title} (sandbox)`;
  return {
    ...tool,
    title,
    description: DESCRIPTION_NOTE + tool.description,
    annotations: { ...tool.annotations, title },
  };
}

/** The label goes in a block of its own, so the result's own text (JSON, a table) stays intact. */
export function labelSandboxResult(result: CallToolResult): CallToolResult {
  return {
    ...result,
    content: [{ type: "text", text: RESULT_NOTE }, ...result.content],
    _meta: { ...result._meta, [SANDBOX_META_KEY]: true },
  };
}
