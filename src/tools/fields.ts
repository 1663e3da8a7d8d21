import { z } from "zod";
import { hasInvisible } from "../safety/sanitize.js";

/** Input fields every backend's tools share, each described for the model that fills them in. */

const MAX_LIST = 200;

const VISIBLE_ONLY = "must not hold invisible, zero-width or bidirectional control characters";

/** A text argument the model writes: every character visible, so a person reads what is sent. */
export function visibleText() {
  return z.string().refine((text) => !hasInvisible(text), VISIBLE_ONLY);
}

/** displayMode undescribed, for a tool whose fields are as in create_token; `displayModeField` described. */
export const undescribedDisplayModeField = z.enum(["json", "pretty", "csv"]).optional();
export const displayModeField = undescribedDisplayModeField.describe("Text: json (default), pretty or csv");

/** A list argument: at least one item, at most a few hundred, none repeated. */
export function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return (
    z
      .array(item)
      .min(1, `must list at least one ${what}; omit the field instead`)
      // A refinement, not .max(): the cap guards the server, and no model needs telling on every turn.
      .refine((values) => values.length <= MAX_LIST, `must list at most ${MAX_LIST} ${what}s`)
      .refine((values) => new Set(values).size === values.length, `must not repeat a ${what}`)
  );
}

export const undescribedExpiryFields = {
  expirationDate: visibleText().optional(),
  timeZone: visibleText().optional(),
  expiresIn: visibleText().optional(),
};

/** The expiry fields as every create describes them. */
export const expiryFields = described(undescribedExpiryFields, {
  expirationDate: "Expiry: 2099-03-31 (its start) or 2099-03-31T17:00, in timeZone",
  timeZone: "Zone of expirationDate: Pacific/Auckland, -05:00, UTC (default)",
  expiresIn: "Or expiry from now: 180D, 12h, 2W, 6M (30 d), 1Y, 30m or ISO P30D",
});

/**
 * The same fields, each with its description. A tool listing both a create and an update has the
 * update refer to the create's descriptions instead of repeating them: the model reads each once.
 */
export function described<Shape extends Record<string, z.ZodType>>(shape: Shape, descriptions: { [Key in keyof Shape]: string }): Shape {
  return Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.describe(descriptions[key]!)])) as Shape;
}

export const mintedByAssistantField = z
  .boolean()
  .optional()
  .describe("true: only those an assistant minted here");
