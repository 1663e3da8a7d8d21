import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config.js";
import { readVastConfig } from "../src/backends/vast/config.js";

const TOKEN = "JhxND7ci.AWrRmHXRtbcjUSCANl9KLrxRT6sMqesu";
const base = { VAST_URL: "https://vms.example.com", VAST_API_TOKEN: TOKEN };
const dir = mkdtempSync(join(tmpdir(), "vast-config-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o600);
  return path;
};

function failure(env: NodeJS.ProcessEnv): ConfigError {
  try {
    readVastConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("readVastConfig", () => {
  it("reads an API token and the defaults", () => {
    const config = readVastConfig(base);
    expect(config).toMatchObject({
      baseUrl: "https://vms.example.com",
      apiVersion: "latest",
      credential: { kind: "api-token", tokenId: "JhxND7ci", secret: "AWrRmHXRtbcjUSCANl9KLrxRT6sMqesu" },
      tls: { insecure: false },
      notices: [],
    });
    expect(config.tenant).toBeUndefined();
    expect(config.allowedOwners).toBeUndefined();
  });

  it("reads a user name with a password file, the tenant, version, owners and a CA bundle", () => {
    const ca = file("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const config = readVastConfig({
      VAST_URL: "https://vms.example.com:8443",
      VAST_USERNAME: "admin",
      VAST_PASSWORD_FILE: file("password", "s3cret\n"),
      VAST_TENANT: "tenant-a",
      VAST_API_VERSION: "v5",
      VAST_ALLOWED_OWNERS: "alice, bob,alice",
      VAST_CA_FILE: ca,
    });
    expect(config).toMatchObject({
      baseUrl: "https://vms.example.com:8443",
      apiVersion: "v5",
      credential: { kind: "password", username: "admin", password: "s3cret" },
      tenant: "tenant-a",
      allowedOwners: ["alice", "bob"],
    });
    expect(config.tls.caPem).toContain("BEGIN CERTIFICATE");
  });

  it("allows plain http only on loopback", () => {
    for (const url of ["http://localhost:8080", "http://127.0.0.1", "http://127.8.9.10:1", "http://[::1]:9"]) {
      expect(readVastConfig({ ...base, VAST_URL: url }).baseUrl).toBe(new URL(url).origin);
    }
    expect(failure({ ...base, VAST_URL: "http://vms.example.com" }).message).toMatch(/^VAST_URL: must use https/);
  });

  it("returns insecure TLS as a notice to log", () => {
    const config = readVastConfig({ ...base, VAST_TLS_INSECURE: "true" });
    expect(config.tls.insecure).toBe(true);
    expect(config.notices.join()).toMatch(/VAST_TLS_INSECURE/);
  });

  it.each([
    [{ VAST_API_TOKEN: TOKEN }, "VAST_URL"],
    [{ ...base, VAST_URL: "https://vms.example.com/api/" }, "VAST_URL"],
    [{ ...base, VAST_URL: "https://vms.example.com/?x=1" }, "VAST_URL"],
    [{ ...base, VAST_URL: "https://u:p@vms.example.com" }, "VAST_URL"],
    [{ ...base, VAST_URL: "not a url" }, "VAST_URL"],
    [{ ...base, VAST_URL: "ftp://vms.example.com" }, "VAST_URL"],
    [{ VAST_URL: base.VAST_URL }, "VAST_API_TOKEN"],
    [{ ...base, VAST_API_TOKEN: "JhxND7ci" }, "VAST_API_TOKEN"],
    [{ ...base, VAST_API_TOKEN: "short.AWrRmHXRtbcjUSCANl9KLrxRT6sMqesu" }, "VAST_API_TOKEN"],
    [{ ...base, VAST_API_TOKEN_FILE: "/nonexistent" }, "VAST_API_TOKEN_FILE"],
    [{ VAST_URL: base.VAST_URL, VAST_API_TOKEN_FILE: join(dir, "missing") }, "VAST_API_TOKEN_FILE"],
    [{ ...base, VAST_USERNAME: "admin", VAST_PASSWORD: "x" }, "VAST_API_TOKEN"],
    [{ VAST_URL: base.VAST_URL, VAST_PASSWORD: "x" }, "VAST_USERNAME"],
    [{ VAST_URL: base.VAST_URL, VAST_USERNAME: "admin" }, "VAST_PASSWORD"],
    [{ VAST_URL: base.VAST_URL, VAST_USERNAME: "ad:min", VAST_PASSWORD: "x" }, "VAST_USERNAME"],
    [{ VAST_URL: base.VAST_URL, VAST_USERNAME: "admin", VAST_PASSWORD: "x", VAST_PASSWORD_FILE: "/x" }, "VAST_PASSWORD_FILE"],
    [{ ...base, VAST_API_VERSION: "5" }, "VAST_API_VERSION"],
    [{ ...base, VAST_API_VERSION: "v5/x" }, "VAST_API_VERSION"],
    [{ ...base, VAST_TENANT: "a\nb" }, "VAST_TENANT"],
    [{ ...base, VAST_CA_FILE: "/nonexistent" }, "VAST_CA_FILE"],
    [{ ...base, VAST_CA_FILE: file("not-pem", "hello") }, "VAST_CA_FILE"],
    [{ ...base, VAST_TLS_INSECURE: "yes" }, "VAST_TLS_INSECURE"],
    [{ ...base, VAST_TLS_INSECURE: "true", VAST_CA_FILE: "/x" }, "VAST_TLS_INSECURE"],
    [{ ...base, VAST_ALLOWED_OWNERS: "alice,,bob" }, "VAST_ALLOWED_OWNERS"],
    [{ ...base, SN_URL: "https://data.solarnetwork.net" }, "SN_URL"],
    [{ ...base, SN_TOKEN: "abc" }, "SN_TOKEN"],
    [{ ...base, SN_TOKEN_SECRET_FILE: "/x" }, "SN_TOKEN_SECRET_FILE"],
    [{ ...base, SN_MCP_TOKEN_TYPES: "User" }, "SN_MCP_TOKEN_TYPES"],
    [{ ...base, SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS: "false" }, "SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS"],
  ] as [NodeJS.ProcessEnv, string][])("names the variable in error %#", (env, variable) => {
    const error = failure(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it("never echoes a credential it rejects", () => {
    const bad = "JhxND7ci.not-a-valid!secret";
    expect(failure({ ...base, VAST_API_TOKEN: bad }).message).not.toContain("not-a-valid");
    const file2 = file("token", `${bad}\n`);
    expect(failure({ VAST_URL: base.VAST_URL, VAST_API_TOKEN_FILE: file2 }).message).not.toContain("not-a-valid");
  });

  it("names every SolarNetwork variable set", () => {
    expect(failure({ ...base, SN_URL: "x", SN_TOKEN: "y" }).message).toMatch(/SN_TOKEN, SN_URL are SolarNetwork settings/);
  });
});
