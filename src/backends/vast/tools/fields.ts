import { z } from "zod";

/** Input fields of the VAST tools that SolarNetwork's do not share. */

export const vastTokenIdField = z
  .string()
  .regex(/^[A-Za-z0-9]{8}$/, "must be a VMS API token ID: exactly 8 letters or digits (the part before the dot, never the secret)")
  .describe("The VMS API token's ID, 8 characters, e.g. JhxND7ci");

export const vastNameField = z
  .string()
  .trim()
  .min(1, "must not be blank")
  .max(50, "VMS token names are at most 50 characters")
  .describe("The token's name");

export const ownerField = z
  .string()
  .regex(/^[\x21-\x7e]{1,64}$/, "must be a VMS user name: printable characters, no spaces")
  .describe("The VMS manager the token belongs to and acts as; default: this server's own user");
