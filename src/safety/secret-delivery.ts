import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { RefusedError, ToolError } from "../core/errors.js";
import type { NewCredential } from "./new-credential.js";
import { PAGE_LIFETIME_MS, type SecretPages } from "./secret-page.js";

/** How a new token's secret reaches the person: once in the tool result, in a new private file, or on a one-time page. */
export interface SecretDelivery {
  /** Checked before a token is minted, so that a secret is never created with nowhere to go. */
  prepare(): Promise<void>;
  deliver(credential: NewCredential, secret: string): Promise<DeliveryReport>;
  /** Why a `deliver` that throws failed, in words for the model (the new token is then ended). */
  readonly failure: string;
}

export type SecretDeliveryMode = "inline" | "file" | "url" | "auto";

/** What a result says of where the secret went. */
export type DeliveredSecret = { secret: string } | { secretFile: string } | { secretDelivery: "url" };

/** Where the secret went and, for a page, what became of the prompt that offers it to the person. */
export type DeliveryReport = Exclude<DeliveredSecret, { secretDelivery: "url" }> | UrlDeliveryReport;

export interface UrlDeliveryReport {
  secretDelivery: "url";
  /** The person's answer to the prompt, or "failed" when the client could not show it. */
  prompt: "accept" | "decline" | "cancel" | "failed";
  expiresAt: number;
  /** Takes the page down unless it was viewed; true when it was (the person has the secret). */
  withdraw(): boolean;
}

/** The MCP session a call came on, as url delivery needs it. */
export interface PromptingSession {
  /** The client declared URL-mode elicitation. */
  canOpenUrl: boolean;
  /** Asks the client to offer the person this URL; resolves with their answer. */
  openUrl(prompt: { message: string; url: string; elicitationId: string }): Promise<"accept" | "decline" | "cancel">;
  /** Tells the client, best effort, that the person has opened the page, so it can close the prompt. */
  completed(elicitationId: string): void;
}

/** The delivery a call gets, from the operator's choice and the session it came on (`auto`: url when the client can). */
export function deliveryFor(
  mode: SecretDeliveryMode,
  { secretDir, clock, pages }: { secretDir: string; clock: () => number; pages: SecretPages },
): (session: PromptingSession) => SecretDelivery {
  const inline = inlineDelivery();
  if (mode === "file") {
    const file = fileDelivery(secretDir, clock);
    return () => file;
  }
  if (mode === "url") return (session) => urlDelivery(pages, session);
  if (mode === "auto") return (session) => (session.canOpenUrl ? urlDelivery(pages, session) : inline);
  return () => inline;
}

export function inlineDelivery(): SecretDelivery {
  return {
    failure: "The secret could not be handed over",
    async prepare() {},
    async deliver(_token, secret) {
      return { secret };
    },
  };
}

export function fileDelivery(directory: string, clock: () => number = Date.now): SecretDelivery {
  return {
    failure: "The secret directory could not be written (the operator should check SN_MCP_SECRET_DIR)",
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

/** Shows the secret on a one-time page whose URL only the person's prompt carries: never in a result. */
export function urlDelivery(pages: SecretPages, session: PromptingSession): SecretDelivery {
  return {
    failure: "No one-time page could be made for the secret",
    async prepare() {
      if (!session.canOpenUrl) {
        throw new RefusedError(
          "SN_MCP_SECRET_DELIVERY",
          "it is url (a new secret is shown to the person on a one-time page this client opens), and this MCP client does not support URL elicitation, so no token was created. Use a client that declares elicitation.url, or the operator can set SN_MCP_SECRET_DELIVERY=auto (url when the client supports it, inline otherwise) or inline.",
        );
      }
      try {
        await pages.ready();
      } catch {
        throw new ToolError(
          "The one-time secret page could not be served (no loopback port could be opened), so no token was created: its secret would have nowhere to go. The operator can set SN_MCP_SECRET_DELIVERY=inline or file.",
        );
      }
    },
    async deliver(credential, secret) {
      const page = await pages.publish(credential, secret, (elicitationId) => session.completed(elicitationId));
      const message = `Open this page to see the secret of the new token ${credential.tokenId}. It shows the secret once, and expires in ${PAGE_LIFETIME_MS / 60_000} minutes.`;
      let prompt: UrlDeliveryReport["prompt"];
      try {
        prompt = await session.openUrl({ message, url: page.url, elicitationId: page.elicitationId });
      } catch {
        prompt = "failed";
      }
      return { secretDelivery: "url", prompt, expiresAt: page.expiresAt, withdraw: page.withdraw };
    },
  };
}

/** Token IDs may hold punctuation such as `/` or `;`: keep a file name to a safe alphabet. */
function safeFileName(tokenId: string): string {
  return tokenId.replace(/[^A-Za-z0-9._-]/g, (char) => `_${char.charCodeAt(0).toString(16)}`);
}
