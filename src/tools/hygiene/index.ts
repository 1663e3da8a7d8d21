import type { z } from "zod";
import type { BackendCapabilities } from "../../core/token.js";
import type { Tool } from "../tool.js";
import { retireAssistantTokens } from "./retire-assistant-tokens.js";
import { reviewTokensTool } from "./review-tokens.js";
import { rotateToken } from "./rotate-token.js";

/**
 * The token-hygiene tools, on every backend: review, the kill switch, and rotation through the
 * backend's create_token. The kill switch and rotation end tokens as the tool that ends them does
 * (update_token's Disabled where tokens can be disabled, else the tool named for how tokens end, e.g.
 * revoke_token), and exist only with it.
 */
export function hygieneTools<Service>(
  backendTools: readonly Tool<z.ZodObject, z.ZodObject, Service>[],
  capabilities: Pick<BackendCapabilities, "canDisable" | "ends">,
): Tool<z.ZodObject, z.ZodObject, Service>[] {
  const ender = capabilities.canDisable ? "update_token" : `${capabilities.ends}_token`;
  const create = backendTools.find((tool) => tool.name === "create_token");
  return [
    reviewTokensTool,
    { ...retireAssistantTokens(capabilities.canDisable ? "disable" : "revoke"), actsThrough: [ender] },
    ...(create ? [{ ...rotateToken(create as Tool), actsThrough: ["create_token", ender] }] : []),
  ] as Tool<z.ZodObject, z.ZodObject, Service>[];
}
