import type { TokenService } from "../../backends/solarnetwork/service.js";
import { toolsFor, type ToolContext } from "../tool.js";

export const defineTool = toolsFor<TokenService>();
export type SolarNetworkToolContext = ToolContext<TokenService>;
