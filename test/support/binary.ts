import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

/** The shipped binary, as `npm run build` writes it. */
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface ServingBinary {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** The MCP endpoint the binary logged. */
  url: string;
  /** Everything it wrote so far (logs go to stderr). */
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Starts `node dist/cli.js <args>` (an HTTP mode) with exactly `env`; resolves once it logs the URL it serves. */
export async function serveBinary(args: readonly string[], env: Record<string, string>): Promise<ServingBinary> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      output.stderr += chunk.toString();
      const match = /"message":"serving MCP over HTTP".*?"url":"(http:[^"]+)"/.exec(output.stderr);
      if (match) resolve(match[1] as string);
    });
    void exited.then((code) => reject(new Error(`exited ${code} before serving: ${output.stderr}`)));
  });
  return { child, url, output, exited };
}
