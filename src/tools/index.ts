import { createToken } from "./create-token.js";
import { deleteToken } from "./delete-token.js";
import { listTokens } from "./list-tokens.js";
import type { Tool } from "./tool.js";
import { updateToken } from "./update-token.js";

/** Every tool this server can offer; which ones a given server exposes is decided by the inventory. */
export const ALL_TOOLS: readonly Tool[] = [listTokens, createToken, updateToken, deleteToken];
