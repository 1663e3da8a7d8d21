// Types of scripts/manifest.mjs for the tests that import it.
export interface Manifest {
  name: string;
  version: string;
  server: { entry_point: string; mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  tools: { name: string; description?: string }[];
  user_config: Record<string, { type: string; title: string; description: string; required?: boolean; default?: string | number | boolean; sensitive?: boolean }>;
}
export const ROOT: string;
export const MANIFESTS: readonly string[];
export function readManifest(file: string): Manifest;
/** The registry's entry (src/backends/plugin.ts) for the backend the manifest's server runs. */
export function backendOf(manifest: Manifest): { command: string; bundle: { manifest: string } };
export function serverToolNames(manifest: Manifest): Promise<string[]>;
export function manifestProblems(file: string): Promise<string[]>;
export function serverLaunch(
  manifest: Manifest,
  directory: string,
  values: Record<string, string>,
): { command: string; args: string[]; env: Record<string, string> };
