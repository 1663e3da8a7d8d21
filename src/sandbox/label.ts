import type { Tool } from "../tools/tool.js";

/**
 * Sandbox labelling: in sandbox mode the tools talk to the embedded local SolarUser, not to
 * SolarNetwork, and everything they show says so, so that neither the person nor the model takes
 * a sandbox token for a real one.
 */

/** Starts the text of every sandbox tool result. */
export const SANDBOX_PREFIX = "[SANDBOX] ";

const DESCRIPTION_NOTE =
  "[SANDBOX: a local SolarNetwork simulator. Tokens made here exist only on this machine and do not work with SolarNetwork.] ";

/** The tools with their descriptions, titles and every successful result's text labelled. */
export function labelSandboxTools(tools: readonly Tool[]): Tool[] {
  return tools.map((tool) => ({
    ...tool,
    title: `${tool.title} (sandbox)`,
    description: DESCRIPTION_NOTE + tool.description,
    async run(input, context) {
      const result = await tool.run(input, context);
      return { ...result, text: SANDBOX_PREFIX + result.text };
    },
  }));
}
