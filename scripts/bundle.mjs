// Replaces tsc's dist/cli.js with one esbuild bundle of it and its dependencies: loading a few
// files instead of some hundreds of modules halves the time to the first tools/list (see README,
// Performance). Modules only some modes need (HTTP, sandbox) become chunks loaded on demand; undici,
// loaded at the first request, stays external (a CommonJS package, imported as Node imports it).
// The rest of dist/ stays as tsc wrote it (the demo and scripts/pack.mjs use it).
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

// Chunk names carry a content hash, so a rebuild writes new files beside the old ones: remove the
// previous build's chunks first, or dist/ (and the package and .mcpb made from it) keeps them all.
const CHUNK = /^[\w.]+-[A-Z2-7]{8}\.js(\.map)?$/;
for (const name of readdirSync("dist", { withFileTypes: true })) {
  if (name.isFile() && CHUNK.test(name.name)) rmSync(join("dist", name.name));
}

await build({
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  // Chunks beside cli.js: server.ts finds package.json at ../package.json from its own module.
  chunkNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: true,
  platform: "node",
  format: "esm",
  target: "node20.18",
  // CommonJS dependencies (undici) call require(); an ES module has none of its own.
  banner: { js: 'import { createRequire as __snCreateRequire } from "node:module"; const require = __snCreateRequire(import.meta.url);' },
  external: ["undici"],
  logLevel: "warning",
});
