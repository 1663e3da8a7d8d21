import type { ServerSettings } from "./config.js";

/**
 * The configurations whose stdio answers are recorded at build time (src/stdio-answers.ts) and
 * given by the stdio front: those that depend on nothing but the build, every SolarNetwork tool or
 * the read-only ones. Any other tool selection, VAST and the sandboxes start without the front.
 * Apart from the recording, this is loaded before the server: nothing heavy here.
 */

export type FrontConfiguration = "all" | "read-only";

/** The variables (beside a credential) that make each configuration. */
export const FRONT_CONFIGURATIONS: Record<FrontConfiguration, NodeJS.ProcessEnv> = {
  all: {},
  "read-only": { SN_MCP_READ_ONLY: "true" },
};

/** The recorded configuration these settings are served with, if any. */
export function frontConfiguration(settings: Pick<ServerSettings, "readOnly" | "tools" | "excludeTools">): FrontConfiguration | undefined {
  if (settings.tools !== undefined || settings.excludeTools.length > 0) return undefined;
  return settings.readOnly ? "read-only" : "all";
}
