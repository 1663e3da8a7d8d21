import type { TokenService } from "../service.js";
import { toolsFor, type ToolContext } from "../../../tools/tool.js";

export const defineTool = toolsFor<TokenService>();
export type SolarNetworkToolContext = ToolContext<TokenService>;
