import { describe, expect, it } from "vitest";
import { SERVER_JSON_SCHEMA as SCHEMA, serverJsonSchemaErrors as schemaErrors } from "./support/registry-schema.js";
import { readJson, repositoryUrl, SERVER_JSON, staleCopies, syncedServerJson, type PackageJson, type ServerJson } from "../scripts/metadata.mjs";

// The MCP Registry's entry, against the registry's own schema (a copy in test/fixtures/registry/).
describe("server.json (the MCP Registry's entry)", () => {
  const server = readJson(SERVER_JSON) as ServerJson;
  const pkg = readJson("package.json") as PackageJson;

  it("validates against the registry's schema, of the version its $schema names", () => {
    expect(server.$schema).toBe(SCHEMA.$id);
    expect(schemaErrors(server)).toEqual([]);
  });

  it("the schema copy catches what the registry refuses: a description over 100 characters, a range for a version", () => {
    expect(schemaErrors({ ...server, description: "x".repeat(101) })).toEqual(["/description must NOT have more than 100 characters"]);
    const packages = server.packages.map((entry) => ({ ...entry, version: "latest" }));
    expect(schemaErrors({ ...server, packages })).toContain("/packages/0/version must NOT be valid");
  });

  it("agrees with package.json (name, description, version, repository, each npm package), as are the MCPB manifests", () => {
    expect(staleCopies().map((copy) => copy.file)).toEqual([]);
    expect(server.packages.map((entry) => [entry.identifier, entry.version])).toEqual([
      [pkg.name, pkg.version],
      [pkg.name, pkg.version],
    ]);
  });

  it("a version bumped in package.json alone is caught", () => {
    const bumped = { ...pkg, version: "9.9.9" };
    expect(staleCopies(bumped).map((copy) => copy.file)).toEqual(["server.json", "manifest-vast.json", "manifest.json"]);
    expect(syncedServerJson(server, bumped)).toMatchObject({ version: "9.9.9", packages: [{ version: "9.9.9" }, { version: "9.9.9" }] });
  });

  it("one entry per backend: SolarNetwork's with no argument, VAST's with `vast`; each names its credential and marks the secret ones", () => {
    const [solarNetwork, vast] = server.packages;
    expect(solarNetwork!.packageArguments).toBeUndefined();
    expect(vast!.packageArguments?.map((argument) => argument.value)).toEqual(["vast"]);
    const secrets = (entry: (typeof server.packages)[number]) => entry.environmentVariables.filter((variable) => variable.isSecret).map((variable) => variable.name);
    expect(secrets(solarNetwork!)).toEqual(["SN_TOKEN_SECRET"]);
    expect(secrets(vast!)).toEqual(["VAST_API_TOKEN"]);
    for (const variable of [...solarNetwork!.environmentVariables, ...vast!.environmentVariables]) expect(variable.description, variable.name).toBeTruthy();
  });

  it("package.json: mcpName is server.json's name, in the io.github.<owner> namespace of its repository; the description fits in 100 characters and names both backends", () => {
    expect(pkg.mcpName).toBe(server.name);
    const owner = /github\.com\/([^/]+)\//.exec(repositoryUrl(pkg))?.[1];
    expect(pkg.mcpName).toBe(`io.github.${owner}/${pkg.name}`);
    expect(pkg.description.length).toBeLessThanOrEqual(100);
    expect(pkg.description).toMatch(/SolarNetwork/);
    expect(pkg.description).toMatch(/VAST/);
  });
});
