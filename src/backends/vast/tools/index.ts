import type { z } from "zod";
import type { VastTokens } from "../tokens.js";
import type { Tool } from "../../../tools/tool.js";
import { createVastToken } from "./create-token.js";
import { listVastTokens } from "./list-tokens.js";
import { revokeVastToken } from "./revoke-token.js";
import { updateVastToken } from "./update-token.js";

/** Every VAST tool; which ones a given server exposes is decided by the inventory. */
export const VAST_TOOLS: readonly Tool<z.ZodObject, z.ZodObject, VastTokens>[] = [listVastTokens, createVastToken, updateVastToken, revokeVastToken];
