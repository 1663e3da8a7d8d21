import { judge, type TokenChange, type Verdict } from "../safety/effects.js";
import type { ToolContext } from "./tool.js";

/** A planned change judged by its effects (src/safety/effects.ts), then asked of a person when it must be. */
export async function allowChange(change: TokenChange, { guardrails, now, confirm }: Pick<ToolContext, "guardrails" | "now" | "confirm">): Promise<Verdict> {
  const verdict = judge(change, guardrails, now());
  if (verdict.question !== undefined) await confirm(verdict.question, { mustAsk: verdict.mustAsk });
  return verdict;
}
