import type { VastTokens } from "../../backends/vast/tokens.js";
import { toolsFor, type ToolContext } from "../tool.js";

export const defineTool = toolsFor<VastTokens>();
export type VastToolContext = ToolContext<VastTokens>;
