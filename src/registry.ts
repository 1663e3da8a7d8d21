import type { BackendPlugin } from "./backends/plugin.js";
import { solarNetworkPlugin } from "./backends/solarnetwork/plugin.js";
import { vastPlugin } from "./backends/vast/plugin.js";

/**
 * Every backend, one line each: the only generic module that names one. The first is the default
 * (`sn-tokens-mcp` alone), whose stdio answers the front records. Adding a backend: CONTRIBUTING.md.
 */
export const BACKENDS: readonly BackendPlugin[] = [solarNetworkPlugin, vastPlugin];

export const DEFAULT_BACKEND = BACKENDS[0]!;

/** The commands the server takes: each backend's, and `<its command> sandbox` for those with a sandbox. */
export function backendCommands(): { command: string; backend: BackendPlugin; sandbox: boolean }[] {
  return BACKENDS.flatMap((backend) => [
    { command: backend.command, backend, sandbox: false },
    ...(backend.sandbox ? [{ command: [backend.command, "sandbox"].filter(Boolean).join(" "), backend, sandbox: true }] : []),
  ]);
}
