import type { z } from "zod";
import type { Tool } from "../tool.js";
import { retireAssistantTokens } from "./retire-assistant-tokens.js";
import { reviewTokensTool } from "./review-tokens.js";
import { rotateToken } from "./rotate-token.js";

/** The token-hygiene tools, on every backend: review, the kill switch, and rotation through the backend's create_token. */
export function hygieneTools<Service>(backendTools: readonly Tool<z.ZodObject, z.ZodObject, Service>[]): Tool<z.ZodObject, z.ZodObject, Service>[] {
  const create = backendTools.find((tool) => tool.name === "create_token");
  return [reviewTokensTool, retireAssistantTokens, ...(create ? [rotateToken(create as Tool)] : [])] as Tool<z.ZodObject, z.ZodObject, Service>[];
}
