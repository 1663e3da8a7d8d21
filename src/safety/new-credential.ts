/** A new token's credential as a secret file holds it: `NAME=value` lines a tool can source. */
export interface NewCredential {
  tokenId: string;
  /** Starts the file's name, e.g. `sn-token`. */
  filePrefix: string;
  /** The file's lines, e.g. `[["SN_TOKEN", id], ["SN_TOKEN_SECRET", secret]]`. */
  lines: readonly (readonly [string, string])[];
}
