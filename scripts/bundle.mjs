// Replaces tsc's dist/cli.js with one esbuild bundle of it and its dependencies: loading a few
// files instead of some hundreds of modules halves the time to the first tools/list (see README,
// Performance). Modules only some modes need (HTTP, sandbox) become chunks loaded on demand; undici,
// loaded at the first request, stays external (a CommonJS package, imported as Node imports it): the
// package's only runtime dependency. The rest of dist/ stays as tsc wrote it, for the demo, the tests
// and scripts/pack.mjs; package.json "files" ships only cli.js and the chunks (named as CHUNK says).
import { build } from "esbuild";
import { recordStdioAnswers } from "../dist/stdio-answers.js";

// `npm run build` empties dist/ first: chunk names carry a content hash, and a file left from an
// earlier build (a chunk, or a module since moved) would otherwise ship or hide a broken import.
const CHUNK = /^[\w.-]+-[A-Z2-7]{8}\.js(\.map)?$/;

const { metafile } = await build({
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
  define: { SN_STDIO_ANSWERS: JSON.stringify(await recordStdioAnswers()) },
  logLevel: "warning",
  metafile: true,
});

// package.json "files" lists cli.js and the chunk pattern: an output named otherwise would be left out.
for (const output of Object.keys(metafile.outputs)) {
  const name = output.slice("dist/".length);
  if (name.endsWith(".map") || name === "cli.js" || CHUNK.test(name)) continue;
  throw new Error(`bundle: ${output} matches neither cli.js nor the chunk pattern that package.json "files" ships.`);
}
