import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { ToolError } from "../core/errors.js";

/** How a new token's secret reaches the person: once in the tool result, or in a new private file. */
export interface SecretDelivery {
  /** Checked before a token is minted, so that a secret is never created with nowhere to go. */
  prepare(): Promise<void>;
  deliver(credential: NewCredential, secret: string): Promise<DeliveredSecret>;
}

/** A new token's credential as a secret file holds it: `NAME=value` lines a tool can source. */
export interface NewCredential {
  tokenId: string;
  /** Starts the file's name, e.g. `sn-token`. */
  filePrefix: string;
  /** The file's lines, e.g. `[["SN_TOKEN", id], ["SN_TOKEN_SECRET", secret]]`. */
  lines: readonly (readonly [string, string])[];
}

export type DeliveredSecret = { secret: string } | { secretFile: string };

export function inlineDelivery(): SecretDelivery {
  return {
    async prepare() {},
    async deliver(_token, secret) {
      return { secret };
    },
  };
}

export function fileDelivery(directory: string, clock: () => number = Date.now): SecretDelivery {
  return {
    async prepare() {
      try {
        await mkdir(directory, { recursive: true, mode: 0o700 });
        const probe = join(directory, `.probe-${process.pid}-${clock()}`);
        await (await open(probe, "wx", 0o600)).close();
        await rm(probe);
      } catch {
        throw new ToolError(
          "The secret directory (SN_MCP_SECRET_DIR) cannot be written, so no token was created: its secret would have nowhere to go. The operator should check SN_MCP_SECRET_DIR.",
        );
      }
    },
    async deliver(credential) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const stamp = new Date(clock()).toISOString().replace(/[:.]/g, "-");
      const path = join(directory, `${credential.filePrefix}-${safeFileName(credential.tokenId)}-${stamp}.env`);
      // "wx": exclusive create, so an existing file (or a planted link) is never overwritten.
      const file = await open(path, "wx", 0o600);
      try {
        await file.writeFile(credential.lines.map(([name, value]) => `${name}=${value}\n`).join(""), "utf8");
      } finally {
        await file.close();
      }
      return { secretFile: path };
    },
  };
}

/** Token IDs may hold punctuation such as `/` or `;`: keep a file name to a safe alphabet. */
function safeFileName(tokenId: string): string {
  return tokenId.replace(/[^A-Za-z0-9._-]/g, (char) => `_${char.charCodeAt(0).toString(16)}`);
}
