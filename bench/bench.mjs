// `npm run bench` (after `npm run build`): builds the bench, then runs it (arguments,
// e.g. `npm run bench -- --only signing,cold`, pass through). The build goes to
// node_modules/.cache/sn-tokens-mcp-bench/: outside git, and outside what eslint lints (bundled
// output would fail the project's lint rules).
//
// 1. run.js: the bench itself (bench/*.ts), bundled with esbuild, and beside it stdio-floor.js,
//    the bare stdio process the per-call section measures ours against. Their imports of
//    ../src/*.js are rewritten to the built ../dist/*.js and left external, so every figure measured
//    in-process is of the code `dist/` ships, and node_modules stay external too.
// Spawned servers run dist/cli.js, the esbuild bundle `npm run build` ships (scripts/bundle.mjs).
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD_DIR = join("node_modules", ".cache", "sn-tokens-mcp-bench");
const out = join(root, BUILD_DIR);
const srcDir = join(root, "src");
const distDir = join(root, "dist");

/** Rewrites `../src/x.js` (as bench/*.ts import it) to the built `dist/x.js`, kept external. */
const srcToDist = {
  name: "src-to-dist",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/src\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!target.startsWith(srcDir + "/")) return undefined;
      const built = join(distDir, relative(srcDir, target));
      return { path: "./" + relative(out, built), external: true };
    });
  },
};

const started = performance.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, "bench", "run.ts"), join(root, "bench", "stdio-floor.ts")],
  outdir: out,
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20.18",
  plugins: [srcToDist],
  logLevel: "warning",
});

await stop();
process.stderr.write(`bench: built ${BUILD_DIR} in ${Math.round(performance.now() - started)} ms\n`);

await import(pathToFileURL(join(out, "run.js")).href);
