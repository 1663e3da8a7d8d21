import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJson, syncedServerJson, type PackageJson, type ServerJson } from "../scripts/metadata.mjs";
import { serverJsonSchemaErrors } from "./support/registry-schema.js";
import { backendOf, MANIFESTS, manifestProblems, readManifest, serverLaunch, serverToolNames } from "../scripts/manifest.mjs";
import { startVmsSimulator } from "../src/simulators/vast/server.js";

// What `npm publish` ships, packed from the dist/ that `npm test` builds first (pretest):
// --ignore-scripts, or prepack would rebuild dist/ under the other test files' running servers.
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string>; scripts: Record<string, string> };

/** Module specifiers a built ES module loads: static and dynamic imports, and require() calls. */
function importsOf(source: string): string[] {
  // Not preceded by a quote, dot or name character: `"from"`, `x.import(` or ajv's generated code
  // (`require("ajv/...")` in a template string) is no import.
  const pattern = /(?<![\w$."'`])(?:from|import|require)\s*\(?\s*"([^"]+)"/g;
  return [...source.matchAll(pattern)].map((match) => match[1] as string);
}

/** dist/cli.js and every file it loads, following relative imports; and the other specifiers met. */
function bundleClosure(): { files: string[]; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (name: string) => {
    if (files.has(name)) return;
    files.add(name);
    for (const specifier of importsOf(readFileSync(join(ROOT, "dist", name), "utf8"))) {
      if (specifier.startsWith("./")) visit(specifier.slice(2));
      else external.add(specifier);
    }
  };
  visit("cli.js");
  return { files: [...files].map((name) => `dist/${name}`).sort(), external };
}

describe("the npm package", () => {
  let dir: string;
  let tarball: string;
  let packed: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sn-tokens-mcp-package-"));
    const output = execFileSync(NPM, ["pack", "--json", "--ignore-scripts", "--loglevel=error", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" });
    const [result] = JSON.parse(output) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, result!.filename);
    packed = result!.files.map((file) => file.path).sort();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ships the bundle: dist/cli.js and exactly the chunks it loads; no source map, no source, no tsc output", () => {
    const { files } = bundleClosure();
    expect(files.length).toBeGreaterThan(3);
    expect(files).toContain("dist/cli.js");
    expect(packed.filter((path) => path.startsWith("dist/"))).toEqual(files);
    expect(packed.filter((path) => !path.startsWith("dist/")).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
  });

  it("needs undici alone: the one dependency, and the one module beyond Node's built-ins that the bundle imports", () => {
    expect(Object.keys(pkg.dependencies)).toEqual(["undici"]);
    const { external } = bundleClosure();
    expect(external).toContain("undici");
    expect([...external].filter((specifier) => !specifier.startsWith("node:") && specifier !== "undici")).toEqual([]);
  });

  it("carries mcpName in its package.json, and the registry entry made from that package.json validates against the registry's schema", () => {
    const packedPkg = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as PackageJson;
    expect(packedPkg.mcpName).toBe((readJson("server.json") as ServerJson).name);
    expect(serverJsonSchemaErrors(syncedServerJson(readJson("server.json") as ServerJson, packedPkg))).toEqual([]);
  });

  it("installs from the tarball with one dependency, and the installed binary serves (sandbox mode: lazy chunks and undici)", { timeout: 60_000 }, async () => {
    const project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), '{ "private": true }\n');
    execFileSync(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: project, encoding: "utf8" });
    const installed = readdirSync(join(project, "node_modules")).filter((name) => !name.startsWith("."));
    expect(installed.sort()).toEqual(["sn-tokens-mcp", "undici"]);

    // Accepts stdout or stderr: which stream --version uses is the CLI's business, not the package's.
    const version = spawnSync(join(project, "node_modules", ".bin", "sn-tokens-mcp"), ["--version"], {
      cwd: project,
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
    });
    expect(version.status).toBe(0);
    expect((version.stdout + version.stderr).trim()).toBe(pkg.version);

    // Outside the repository, so nothing resolves from its node_modules.
    const client = new Client({ name: "package-test", version: "0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(project, "node_modules", "sn-tokens-mcp", "dist", "cli.js"), "sandbox"],
        cwd: project,
        env: { PATH: process.env.PATH ?? "", SN_MCP_SANDBOX_FILE: join(dir, "sandbox.json"), SN_MCP_LOG_LEVEL: "warn" },
        stderr: "ignore",
      }),
    );
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("list_tokens");
      const listed = (await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult;
      expect(listed.isError).toBeFalsy();
      expect((listed.structuredContent as { tokens: unknown[] }).tokens.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});

describe("npm run pack", () => {
  it("builds once: npm runs prepack (the build) before the pack script, which does not build again", () => {
    const { scripts } = pkg;
    expect(scripts.prepack).toMatch(/npm run build/);
    expect(scripts.pack).not.toMatch(/build/);
    expect(scripts.pack).toBe("node scripts/pack.mjs");
  });
});

// The checks npm run pack makes (scripts/manifest.mjs), on the dist/ that npm test builds first.
describe("the MCPB manifests", () => {
  it.each(MANIFESTS)("%s is fit to pack: MCPB schema, package.json's version and bin, its backend's tools, every user_config it passes declared", async (file) => {
    expect(await manifestProblems(file)).toEqual([]);
  });

  it("one bundle per backend, with distinct names: manifest.json serves SolarNetwork, manifest-vast.json VAST VMS", async () => {
    const [solarnetwork, vast] = MANIFESTS.map(readManifest);
    expect([backendOf(solarnetwork!).command, backendOf(vast!).command]).toEqual(["", "vast"]);
    expect(vast!.name).not.toBe(solarnetwork!.name);
    expect(await serverToolNames(vast!)).toEqual(["create_token", "list_tokens", "retire_assistant_tokens", "review_tokens", "revoke_token", "rotate_token", "update_token"]);
  });

  it("manifest-vast.json runs dist/cli.js vast with the VMS address and the API token (sensitive) required, the CA file and other owners optional", () => {
    const manifest = readManifest("manifest-vast.json");
    expect(manifest.server.mcp_config.args).toEqual(["${__dirname}/dist/cli.js", "vast"]);
    const env = manifest.server.mcp_config.env;
    expect(env).toMatchObject({
      VAST_URL: "${user_config.vast_url}",
      VAST_API_TOKEN: "${user_config.vast_api_token}",
      VAST_CA_FILE: "${user_config.vast_ca_file}",
      VAST_ALLOWED_OWNERS: "${user_config.allowed_owners}",
    });
    expect(Object.keys(env).filter((name) => !/^(VAST|SN_MCP)_/.test(name))).toEqual([]);
    const options = manifest.user_config;
    expect(options.vast_url).toMatchObject({ required: true });
    expect(options.vast_api_token).toMatchObject({ required: true, sensitive: true });
    expect(options.vast_ca_file).toMatchObject({ type: "file", required: false, default: "" });
    expect(options.allowed_owners).toMatchObject({ required: false, default: "" });
  });

  it("manifest-vast.json's server, started as the desktop app starts it (defaults for the rest), serves list_tokens from VMS", { timeout: 30_000 }, async () => {
    const vms = await startVmsSimulator({ recordRequests: false });
    const own = vms.seedToken({ owner: "admin", name: "desktop bundle" });
    const launch = serverLaunch(readManifest("manifest-vast.json"), ROOT, { vast_url: vms.url, vast_api_token: own.token });
    const client = new Client({ name: "package-test", version: "0" });
    try {
      await client.connect(
        new StdioClientTransport({ ...launch, env: { PATH: process.env.PATH ?? "", SN_MCP_LOG_LEVEL: "warn", ...launch.env }, stderr: "ignore" }),
      );
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["create_token", "list_tokens", "retire_assistant_tokens", "review_tokens", "revoke_token", "rotate_token", "update_token"]);
      const listed = (await client.callTool({ name: "list_tokens", arguments: {} })) as CallToolResult;
      expect(listed.isError).toBeFalsy();
      expect((listed.structuredContent as { tokens: { id: string }[] }).tokens.map((token) => token.id)).toEqual([own.id]);
    } finally {
      await client.close();
      await vms.close();
    }
  });
});
