import { z } from "zod";
import { hasInvisible } from "../../../safety/sanitize.js";

/** Input fields of the VAST tools that SolarNetwork's do not share. */

export const vastTokenIdField = z
  .string()
  .regex(/^[A-Za-z0-9]{8}$/, "must be a VMS API token ID: exactly 8 letters or digits (the part before the dot, never the secret)")
  .describe("The VMS API token's ID, 8 characters, e.g. JhxND7ci");

/** VMS stores a name as it is and shows it in its own UI and CLI: one line of visible characters. */
export const vastNameField = z
  .string()
  .trim()
  .min(1, "must not be blank")
  .max(50, "VMS token names are at most 50 characters")
  .refine((name) => !hasInvisible(name) && !/[\t\n\r]/.test(name), "must be one line of visible characters: no control (tab, line break, NUL, ESC), bidirectional or zero-width characters")
  .describe("The token's name");

export const ownerField = z
  .string()
  .regex(/^[\x21-\x7e]{1,64}$/, "must be a VMS user name: printable characters, no spaces")
  .describe("The VMS manager the token belongs to and acts as; default: this server's own user");
