import type { CallToolResult, Tool as ListedTool } from "@modelcontextprotocol/sdk/types.js";

/**
 * Sandbox labelling: in sandbox mode the tools talk to an embedded simulator, not to the real
 * backend, and everything they show says so, so that neither the person nor the model takes a
 * sandbox token for a real one.
 */

/** Starts the first text block of every sandbox tool result, successful or not. */
export const SANDBOX_PREFIX = "[SANDBOX] ";

/** Set in every sandbox tool result's `_meta`, for clients that show it. */
export const SANDBOX_META_KEY = "sn-tokens-mcp/sandbox";

/** How a server marks what it shows (see `McpServerOptions.labels`). */
export interface Labels {
  instructions: string;
  tool(tool: ListedTool): ListedTool;
  result(result: CallToolResult): CallToolResult;
}

/** `backend`: the system simulated, e.g. "SolarNetwork". */
export function sandboxLabels(backend: string): Labels {
  const simulator = `a local ${backend} simulator`;
  const resultNote = `${SANDBOX_PREFIX}A local ${backend} simulator answered; its tokens do not work with ${backend}.`;
  const descriptionNote = `[SANDBOX: ${simulator}. Tokens made here exist only on this machine and do not work with ${backend}.] `;
  return {
    instructions: ` This is a SANDBOX: ${simulator}. Its tokens exist only on this machine and do not work with ${backend}; say so whenever you show one.`,
    tool(tool) {
      const title = `${tool.title} (sandbox)`;
      return { ...tool, title, description: descriptionNote + tool.description, annotations: { ...tool.annotations, title } };
    },
    // The label goes in a block of its own, so the result's own text (JSON, a table) stays intact.
    result(result) {
      return {
        ...result,
        content: [{ type: "text", text: resultNote }, ...result.content],
        _meta: { ...result._meta, [SANDBOX_META_KEY]: true },
      };
    },
  };
}
