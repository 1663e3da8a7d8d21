import type { Token } from "../model.js";
import { renderTokens } from "../render.js";
import type { DisplayMode } from "../../../core/table.js";
import { resultText } from "../../../tools/text.js";

/** A SolarNetwork tool's text: JSON, or its tokens as a table (the secret column only for a new token) and notes. */
export function tokensText(structured: object, mode: DisplayMode | undefined, tokens: Token[], notes: readonly string[], secret?: string): string {
  return resultText(structured, mode, (tableMode) => renderTokens(tokens, tableMode, { secret }), notes);
}
