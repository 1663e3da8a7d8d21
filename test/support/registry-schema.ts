import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";

/**
 * The MCP Registry's server.json schema, kept in the fixtures (test/fixtures/registry/README.md
 * says which version and where from), compiled once.
 */
export const SERVER_JSON_SCHEMA = JSON.parse(readFileSync(new URL("../fixtures/registry/server.schema.json", import.meta.url), "utf8")) as { $id: string };

const ajv = new Ajv({ allErrors: true });
// An OpenAPI annotation the generated schema keeps (JSON Schema has `examples`).
ajv.addKeyword("example");
addFormats.default(ajv);
const validate = ajv.compile(SERVER_JSON_SCHEMA);

/** Every way `server` breaks the registry's schema, as ajv words it; empty when valid. */
export function serverJsonSchemaErrors(server: unknown): string[] {
  return validate(server) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
