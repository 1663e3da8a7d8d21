// Types of scripts/metadata.mjs for the tests that import it.
export interface PackageJson {
  name: string;
  version: string;
  description: string;
  mcpName: string;
  repository: { url: string };
}
export interface ServerJsonPackage {
  registryType: string;
  identifier: string;
  version: string;
  packageArguments?: { type: string; value?: string }[];
  environmentVariables: { name: string; description?: string; isSecret?: boolean; isRequired?: boolean }[];
}
export interface ServerJson {
  $schema: string;
  name: string;
  description: string;
  version: string;
  repository: { url: string; source: string };
  packages: ServerJsonPackage[];
}
export const ROOT: string;
export const SERVER_JSON: string;
export function readJson(file: string): unknown;
export function repositoryUrl(pkg: PackageJson): string;
export function syncedServerJson(server: ServerJson, pkg: PackageJson): ServerJson;
export function syncedManifest(manifest: { homepage?: string }, pkg: PackageJson): object;
export function staleCopies(pkg?: PackageJson): { file: string; text: string; current: string }[];
