#!/usr/bin/env node
// package.json is the one place that holds the package's name, version, description and
// repository URL. server.json (the MCP Registry's entry) and the MCPB manifests repeat them because
// their readers need them there; this script writes those copies from package.json and tells what
// differs. `npm version` runs it (package.json "version" script), test/registry.test.ts checks it.
//
//   node scripts/metadata.mjs           # lists every copy that differs; exit 1 if any
//   node scripts/metadata.mjs --write   # rewrites them from package.json
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const SERVER_JSON = "server.json";
/** The MCPB manifests in the root, one per backend (manifest.json, manifest-vast.json, …). */
const MANIFESTS = readdirSync(ROOT).filter((file) => /^manifest(-[\w-]+)?\.json$/.test(file)).sort();

export function readJson(file) {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8"));
}

/** package.json's `repository.url` as a browsable address: `git+https://…/x.git` → `https://…/x`. */
export function repositoryUrl(pkg) {
  return pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
}

/** server.json with every field package.json decides set from package.json; the rest (its variables) as written. */
export function syncedServerJson(server, pkg) {
  const url = repositoryUrl(pkg);
  return {
    ...server,
    name: pkg.mcpName,
    description: pkg.description,
    version: pkg.version,
    repository: { url, source: "github" },
    websiteUrl: `${url}#readme`,
    packages: server.packages.map((entry) => ({ ...entry, registryType: "npm", identifier: pkg.name, version: pkg.version })),
  };
}

/** An MCPB manifest with its version and links set from package.json (its homepage keeps its README section). */
export function syncedManifest(manifest, pkg) {
  const url = repositoryUrl(pkg);
  const section = /#.*$/.exec(manifest.homepage ?? "")?.[0] ?? "#readme";
  return { ...manifest, version: pkg.version, repository: { type: "git", url }, homepage: `${url}${section}`, support: `${url}/issues` };
}

/** Each file whose copy differs from package.json, with the text it should have. */
export function staleCopies(pkg = readJson("package.json")) {
  const copies = [[SERVER_JSON, syncedServerJson(readJson(SERVER_JSON), pkg)]];
  for (const file of MANIFESTS) copies.push([file, syncedManifest(readJson(file), pkg)]);
  return copies
    .map(([file, value]) => ({ file, text: `${JSON.stringify(value, null, 2)}\n`, current: readFileSync(join(ROOT, file), "utf8") }))
    .filter(({ text, current }) => JSON.stringify(JSON.parse(current)) !== JSON.stringify(JSON.parse(text)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stale = staleCopies();
  if (process.argv.includes("--write")) {
    for (const { file, text } of stale) writeFileSync(join(ROOT, file), text);
    process.stdout.write(stale.length ? `metadata: rewrote ${stale.map((copy) => copy.file).join(", ")} from package.json\n` : "metadata: every copy agrees with package.json\n");
  } else if (stale.length) {
    process.stderr.write(`metadata: ${stale.map((copy) => copy.file).join(", ")} differ from package.json; run: node scripts/metadata.mjs --write\n`);
    process.exit(1);
  }
}
