import type { VastTokens } from "../tokens.js";
import { toolsFor, type ToolContext } from "../../../tools/tool.js";

export const defineTool = toolsFor<VastTokens>();
export type VastToolContext = ToolContext<VastTokens>;
