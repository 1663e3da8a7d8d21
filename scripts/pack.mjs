#!/usr/bin/env node
// Builds the MCPB desktop bundle (Claude Desktop: double-click to install) from dist/:
//
//   npm run pack          # = npm run build, then this script
//   node scripts/pack.mjs [--out file.mcpb] [--keep]
//
// 1. checks manifest.json: the mcpb schema (`mcpb validate`), its version against package.json, its
//    tool list against the server's, and that every ${user_config.X} it passes is declared, with a
//    default unless required (the desktop app leaves an unset, default-less value unsubstituted);
// 2. stages what the npm package ships (`npm pack --dry-run`: package.json, README, LICENSE and the
//    esbuild bundle in dist/), manifest.json and its icon in a temporary directory, and installs the
//    production dependencies (undici alone) there from package-lock.json (`npm ci --omit=dev`);
// 3. packs it with `mcpb pack` (which leaves out *.d.ts, *.map, node_modules/.bin, lock files);
// 4. unpacks the result elsewhere, runs `node dist/cli.js --version` from it, then serves one
//    list_tokens call from it over stdio (against a local SolarUser), so a bundle that cannot load
//    its own modules fails here rather than on someone's desktop;
// 5. prints the bundle's path and size.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const mcpb = join(root, "node_modules", "@anthropic-ai", "mcpb", "dist", "cli", "cli.js");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const { values: flags } = parseArgs({ options: { out: { type: "string" }, keep: { type: "boolean" } } });

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

const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
if (!existsSync(join(root, "dist", "cli.js"))) fail("dist/cli.js is missing: run npm run build first (npm run pack does).");

// 1. The manifest.
try {
  run(process.execPath, [mcpb, "validate", join(root, "manifest.json")]);
} catch (error) {
  fail(`manifest.json is not a valid MCPB manifest:\n${error.stdout ?? error.message}`);
}
if (manifest.version !== pkg.version) fail(`manifest.json version ${manifest.version} differs from package.json ${pkg.version}.`);
if (manifest.server.entry_point !== pkg.bin["sn-tokens-mcp"]) fail("manifest.json server.entry_point is not package.json's bin.");
const { ALL_TOOLS } = await import(new URL("../dist/tools/index.js", import.meta.url).href);
const serverTools = ALL_TOOLS.map((tool) => tool.name).sort();
const listedTools = manifest.tools.map((tool) => tool.name).sort();
if (JSON.stringify(serverTools) !== JSON.stringify(listedTools)) {
  fail(`manifest.json tools [${listedTools}] differ from the server's [${serverTools}].`);
}
const referenced = JSON.stringify(manifest.server.mcp_config).matchAll(/\$\{user_config\.([^}]+)\}/g);
for (const [, key] of referenced) {
  const option = manifest.user_config?.[key];
  if (!option) fail(`manifest.json mcp_config uses user_config.${key}, which user_config does not declare.`);
  if (!option.required && option.default === undefined) fail(`manifest.json user_config.${key} is optional and needs a default.`);
}

// 2. The staging directory.
const stage = mkdtempSync(join(tmpdir(), "sn-tokens-mcp-bundle-"));
const check = mkdtempSync(join(tmpdir(), "sn-tokens-mcp-bundle-check-"));
try {
  // --ignore-scripts: dist/ is built already, and prepack would rebuild it.
  const [packed] = JSON.parse(run(npm, ["pack", "--dry-run", "--json", "--ignore-scripts", "--loglevel=error"], { cwd: root }));
  for (const file of [...packed.files.map((entry) => entry.path), "manifest.json", manifest.icon, "package-lock.json"]) {
    cpSync(join(root, file), join(stage, file));
  }
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
  await smokeTest(join(check, "dist", "cli.js"));

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
async function smokeTest(cli) {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const { startLocalSolarUser } = await import(new URL("../dist/sandbox/solaruser.js", import.meta.url).href);
  const solarUser = await startLocalSolarUser();
  const admin = solarUser.seedToken({ type: "User" });
  const client = new Client({ name: "sn-tokens-mcp-pack", version: pkg.version });
  try {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [cli],
        env: {
          PATH: process.env.PATH ?? "",
          SN_URL: solarUser.url,
          SN_TOKEN: admin.id,
          SN_TOKEN_SECRET: admin.secret,
          SN_MCP_READ_ONLY: "false",
          SN_MCP_SECRET_DELIVERY: "inline",
          SN_MCP_MAX_LIFETIME: "",
          SN_MCP_LOG_LEVEL: "warn",
        },
        stderr: "inherit",
      }),
    );
    const { tools } = await client.listTools();
    if (tools.length !== manifest.tools.length) fail(`the bundled server lists ${tools.length} tools, the manifest ${manifest.tools.length}.`);
    const listed = await client.callTool({ name: "list_tokens", arguments: {} });
    if (listed.isError || listed.structuredContent?.tokens?.[0]?.id !== admin.id) fail("the bundled server's list_tokens failed.");
  } finally {
    await client.close();
    await solarUser.close();
  }
}
