import { createToken } from "./create-token.js";
import { deleteToken } from "./delete-token.js";
import { listTokens } from "./list-tokens.js";
import type { z } from "zod";
import type { TokenService } from "../service.js";
import type { Tool } from "../../../tools/tool.js";
import { updateToken } from "./update-token.js";

/** Every SolarNetwork tool; which ones a given server exposes is decided by the inventory. */
export const SOLARNETWORK_TOOLS: readonly Tool<z.ZodObject, z.ZodObject, TokenService>[] = [listTokens, createToken, updateToken, deleteToken];
