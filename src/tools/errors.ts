import type { z } from "zod";

/** The model-facing text of arguments the input schema rejected. */

export function invalidArgumentsText(error: z.ZodError, args: unknown, backend: string): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `Unknown argument${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}: remove ${issue.keys.length > 1 ? "them" : "it"}.`;
    }
    const field = issue.path.length > 0 ? issue.path.join(".") : "arguments";
    return `Invalid argument "${field}": ${isMissing(args, issue.path) ? "is required." : issueMessage(issue)}`;
  });
  return `${lines.join("\n")}\nNothing was sent to ${backend}.`;
}

function isMissing(args: unknown, path: readonly PropertyKey[]): boolean {
  let value = args;
  for (const key of path) {
    if (value === null || typeof value !== "object") return false;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value" && "values" in issue) {
    return `must be one of ${issue.values.map(String).join(", ")}.`;
  }
  return issue.message.endsWith(".") ? issue.message : `${issue.message}.`;
}
