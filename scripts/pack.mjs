#!/usr/bin/env node
// Builds the MCPB desktop bundle (Claude Desktop: double-click to install) from dist/:
//
//   npm run pack                                   # = npm run build (npm runs prepack first), then this script: SolarNetwork
//   npm run pack -- --manifest manifest-vast.json  # the VAST VMS bundle
//   node scripts/pack.mjs [--manifest manifest.json] [--out file.mcpb] [--keep]
//
// 1. checks the manifest (scripts/manifest.mjs): the mcpb schema (`mcpb validate`), its version
//    against package.json, its tool list against its backend's, and that every ${user_config.X} it
//    passes is declared, with a default unless required;
// 2. stages what the npm package ships (`npm pack --dry-run`: package.json, README, LICENSE and the
//    esbuild bundle in dist/), the manifest (as manifest.json) and its icon in a temporary directory, and installs the
//    production dependencies (undici alone) there from package-lock.json (`npm ci --omit=dev`);
// 3. packs it with `mcpb pack` (which leaves out *.d.ts, *.map, node_modules/.bin, lock files);
// 4. unpacks the result elsewhere, runs `node dist/cli.js --version` from it, then serves one
//    list_tokens call from it over stdio, started as the desktop app starts it from the manifest,
//    against its backend's simulator, so a bundle that cannot load its own modules fails here
//    rather than on someone's desktop;
// 5. prints the bundle's path and size.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { backendOf, MANIFESTS, manifestProblems, readManifest, ROOT as root, serverLaunch } from "./manifest.mjs";

const mcpb = join(root, "node_modules", "@anthropic-ai", "mcpb", "dist", "cli", "cli.js");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const { values: flags } = parseArgs({
  options: { manifest: { type: "string", default: "manifest.json" }, out: { type: "string" }, keep: { type: "boolean" } },
});
if (!MANIFESTS.includes(flags.manifest)) fail(`--manifest must be one of ${MANIFESTS.join(", ")}, not ${flags.manifest}.`);

/**
 * Left out of the bundle beyond mcpb's own exclusions (*.d.ts, *.map, .bin, lock files): what Node
 * never loads at run time, TypeScript sources and type files and documents other than licences.
 * The unpacked bundle's smoke test below proves that what is left loads.
 */
const BUNDLE_IGNORE = ["node_modules/**/*.ts", "node_modules/**/*.mts", "node_modules/**/*.cts", "node_modules/**/*.md", "!node_modules/**/LICEN[CS]E*"];

function fail(message) {
  process.stderr.write(`pack: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...options });
}

function treeSize(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((total, name) => total + treeSize(join(path, name)), 0);
}

const manifest = readManifest(flags.manifest);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
if (!existsSync(join(root, "dist", "cli.js"))) fail("dist/cli.js is missing: run npm run build first (npm run pack does).");

// 1. The manifest.
const problems = await manifestProblems(flags.manifest);
if (problems.length > 0) fail(problems.join("\n"));

// 2. The staging directory.
const stage = mkdtempSync(join(tmpdir(), "sn-tokens-mcp-bundle-"));
const check = mkdtempSync(join(tmpdir(), "sn-tokens-mcp-bundle-check-"));
try {
  // --ignore-scripts: dist/ is built already, and prepack would rebuild it.
  const [packed] = JSON.parse(run(npm, ["pack", "--dry-run", "--json", "--ignore-scripts", "--loglevel=error"], { cwd: root }));
  for (const file of [...packed.files.map((entry) => entry.path), manifest.icon, "package-lock.json"]) {
    cpSync(join(root, file), join(stage, file));
  }
  cpSync(join(root, flags.manifest), join(stage, "manifest.json"));
  run(npm, ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: stage,
    stdio: ["ignore", "ignore", "inherit"],
  });

  // 3. The bundle.
  writeFileSync(join(stage, ".mcpbignore"), BUNDLE_IGNORE.join("\n") + "\n");
  const out = resolve(flags.out ?? join(root, `${manifest.name}-${manifest.version}.mcpb`));
  run(process.execPath, [mcpb, "pack", stage, out], { stdio: ["ignore", "ignore", "inherit"] });

  // 4. It runs from its own files.
  run(process.execPath, [mcpb, "unpack", out, check], { stdio: ["ignore", "ignore", "inherit"] });
  // --version loads every module cli.js imports statically (the smoke test below, the rest).
  const started = spawnSync(process.execPath, [join(check, "dist", "cli.js"), "--version"], {
    cwd: check,
    env: { PATH: process.env.PATH ?? "" },
    encoding: "utf8",
  });
  if (started.status !== 0 || (started.stdout + started.stderr).trim() !== pkg.version) {
    fail(`the bundled server does not start (exit ${started.status}):\n${started.stdout}${started.stderr}`);
  }

  // ... and serves: a real MCP client lists the tools and calls one, against a local SolarUser.
  await smokeTest(check);

  // 5. Report.
  const unpacked = treeSize(check);
  const size = statSync(out).size;
  process.stdout.write(
    `pack: ${out}\n      ${(size / 1024 / 1024).toFixed(2)} MiB (unpacked ${(unpacked / 1024 / 1024).toFixed(1)} MiB), manifest valid, the bundled server serves\n`,
  );
} finally {
  if (!flags.keep) {
    rmSync(stage, { recursive: true, force: true });
    rmSync(check, { recursive: true, force: true });
  } else {
    process.stdout.write(`pack: kept ${stage} and ${check}\n`);
  }
}

/** The bundled server over stdio, as the desktop app starts it (only the manifest's variables). */
async function smokeTest(directory) {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const backend = await backendOf(manifest).bundle.simulate();
  const launch = serverLaunch(manifest, directory, backend.values);
  const client = new Client({ name: "sn-tokens-mcp-pack", version: pkg.version });
  try {
    await client.connect(
      new StdioClientTransport({
        ...launch,
        env: { PATH: process.env.PATH ?? "", SN_MCP_LOG_LEVEL: "warn", ...launch.env },
        stderr: "inherit",
      }),
    );
    const { tools } = await client.listTools();
    if (tools.length !== manifest.tools.length) fail(`the bundled server lists ${tools.length} tools, the manifest ${manifest.tools.length}.`);
    const listed = await client.callTool({ name: "list_tokens", arguments: {} });
    if (listed.isError || listed.structuredContent?.tokens?.[0]?.id !== backend.ownTokenId) fail("the bundled server's list_tokens failed.");
  } finally {
    await client.close();
    await backend.close();
  }
}
