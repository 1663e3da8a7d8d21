import { renderVastTokens } from "../render.js";
import type { VastToken } from "../tokens.js";
import type { DisplayMode } from "../../../core/table.js";
import { resultText } from "../../../tools/text.js";

/** A VAST tool's text: JSON, or its tokens as a table (the credential column only for a new token) and notes. */
export function tokensText(structured: object, mode: DisplayMode | undefined, tokens: readonly VastToken[], notes: readonly string[], secret?: string): string {
  return resultText(structured, mode, (tableMode) => renderVastTokens(tokens, tableMode, secret), notes);
}
