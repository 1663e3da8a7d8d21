// The MCPB manifests' checks, shared by scripts/pack.mjs and test/package.test.ts: one manifest per
// backend in the registry (src/registry.ts, built: dist/registry.js; manifest.json: SolarNetwork,
// manifest-vast.json: VAST VMS), each checked against the MCPB schema, package.json and the tool
// list of the backend its server runs.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL, URL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { BACKENDS } = await import(pathToFileURL(join(ROOT, "dist", "registry.js")).href);
export const MANIFESTS = BACKENDS.map((backend) => backend.bundle.manifest);
const MCPB = join(ROOT, "node_modules", "@anthropic-ai", "mcpb", "dist", "cli", "cli.js");

export function readManifest(file) {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8"));
}

/** The registry's backend a manifest's server runs: the one whose command its arguments after cli.js give. */
export function backendOf(manifest) {
  const command = manifest.server.mcp_config.args.slice(1).join(" ");
  const backend = BACKENDS.find((candidate) => candidate.command === command);
  if (!backend) throw new Error(`no backend in the registry has the command "${command}"`);
  return backend;
}

/** The names of the tools the built server (dist/) has for the manifest's backend (the hygiene tools included), sorted. */
export async function serverToolNames(manifest) {
  const backend = backendOf(manifest);
  const tools = await backend.tools();
  const { hygieneTools } = await import(pathToFileURL(join(ROOT, "dist", "tools", "hygiene", "index.js")).href);
  return [...tools, ...hygieneTools(tools, backend.capabilities)].map((tool) => tool.name).sort();
}

/** Everything wrong with a manifest, in our words; empty when it is fit to pack. Needs dist/ built. */
export async function manifestProblems(file) {
  const problems = [];
  try {
    execFileSync(process.execPath, [MCPB, "validate", join(ROOT, file)], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  } catch (error) {
    problems.push(`${file} is not a valid MCPB manifest:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
    return problems;
  }
  const manifest = readManifest(file);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  if (manifest.version !== pkg.version) problems.push(`${file} version ${manifest.version} differs from package.json ${pkg.version}.`);
  if (manifest.server.entry_point !== pkg.bin["sn-tokens-mcp"]) problems.push(`${file} server.entry_point is not package.json's bin.`);
  if (manifest.server.mcp_config.args[0] !== `\${__dirname}/${manifest.server.entry_point}`) {
    problems.push(`${file} mcp_config.args must start with \${__dirname}/${manifest.server.entry_point}.`);
  }
  const serverTools = await serverToolNames(manifest);
  const listedTools = manifest.tools.map((tool) => tool.name).sort();
  if (JSON.stringify(serverTools) !== JSON.stringify(listedTools)) {
    problems.push(`${file} tools [${listedTools}] differ from the ${backendOf(manifest).command || "default"} server's [${serverTools}].`);
  }
  const referenced = JSON.stringify(manifest.server.mcp_config).matchAll(/\$\{user_config\.([^}]+)\}/g);
  for (const [, key] of referenced) {
    const option = manifest.user_config?.[key];
    // The desktop app leaves an unset, default-less value unsubstituted.
    if (!option) problems.push(`${file} mcp_config uses user_config.${key}, which user_config does not declare.`);
    else if (!option.required && option.default === undefined) problems.push(`${file} user_config.${key} is optional and needs a default.`);
  }
  return problems;
}

/**
 * How the desktop app starts a manifest's server from the bundle in `directory`: `${__dirname}`
 * and every `${user_config.X}` substituted, from `values` or else the option's default.
 */
export function serverLaunch(manifest, directory, values) {
  const substitute = (text) =>
    text.replaceAll("${__dirname}", directory).replace(/\$\{user_config\.([^}]+)\}/g, (_, key) => String(values[key] ?? manifest.user_config[key].default));
  const { command, args, env } = manifest.server.mcp_config;
  return {
    command: command === "node" ? process.execPath : command,
    args: args.map(substitute),
    env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, substitute(value)])),
  };
}
