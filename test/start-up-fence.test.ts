import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// `npm test` builds first (pretest): this reads tsc's dist/, module by module.
const DIST = new URL("../dist/", import.meta.url).href;

/** A resolve hook that refuses zod and luxon: any import of either fails the child. */
const FENCE = `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (/^(zod|luxon)(\\/|$)/.test(specifier)) throw new Error("fenced: " + specifier + " loaded from " + context.parentURL);
  return next(specifier, context);
}`)}`;

/** Runs `body` (an ES module's text) in a child Node with the fence up; its exit status and stderr. */
function fenced(body: string): { status: number | null; stderr: string } {
  const script = `import { register } from "node:module";\nregister(${JSON.stringify(FENCE)});\n${body}`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { PATH: process.env.PATH ?? "" },
    encoding: "utf8",
  });
  return { status: child.status, stderr: child.stderr };
}

describe("the stdio front's fence", () => {
  it("reading every backend's configuration loads neither zod nor luxon", () => {
    const run = fenced(`
const { BACKENDS } = await import(${JSON.stringify(`${DIST}registry.js`)});
const { frontConfiguration } = await import(${JSON.stringify(`${DIST}stdio-configurations.js`)});
await import(${JSON.stringify(`${DIST}stdio-front.js`)});
// A configuration each backend reads without error, with a setting that parses an expiry.
const envs = {
  "": { SN_TOKEN: "fence", SN_TOKEN_SECRET: "fence", SN_MCP_MAX_LIFETIME: "90D", SN_MCP_TOKEN_TYPES: "User" },
  vast: { VAST_URL: "https://vms.example.com", VAST_API_TOKEN: "AbCd1234.secretsecret", SN_MCP_MAX_LIFETIME: "90D" },
};
for (const backend of BACKENDS) {
  if (!(backend.command in envs)) throw new Error("give the fence test a configuration for " + backend.command);
  frontConfiguration(backend.readConfig(envs[backend.command], Date.now()));
}
`);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("and the fence holds: loading a backend's tools is refused", () => {
    const run = fenced(`
const { DEFAULT_BACKEND } = await import(${JSON.stringify(`${DIST}registry.js`)});
await DEFAULT_BACKEND.tools();
`);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/fenced: zod/);
  });
});
