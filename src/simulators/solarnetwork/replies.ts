import type { ReceivedRequest } from "./verify.js";

/** The simulator's replies in SolarNetwork's envelope (`Result`), Spring Boot's error page and the authentication challenge. */

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What Spring MVC writes for JSON replies (the web tests match `application/json` exactly). */
export const JSON_CONTENT_TYPE = "application/json";
const CHALLENGE_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH",
  "Access-Control-Allow-Headers": "Authorization, Content-MD5, Content-Type, Digest, X-SN-Date",
};

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "Content-Type": JSON_CONTENT_TYPE, ...headers }, body: JSON.stringify(value) };
}

/** `Result.success(data)`; `{"success":true}` alone without data. */
export function success(data?: unknown): Reply {
  return json(200, data === undefined ? { success: true } : { success: true, data }, { Vary: "Accept" });
}

/** `Result.error(code, message)`: null fields omitted. */
export function failure(status: number, message: string, code?: string, errors?: unknown[]): Reply {
  const body: Record<string, unknown> = { success: false };
  if (code !== undefined) body["code"] = code;
  body["message"] = message;
  if (errors) body["errors"] = errors;
  return json(status, body);
}

/** An authentication failure through `SecurityTokenAuthenticationEntryPoint.commence`. */
export function challenge(status: number, message: string): Reply {
  const reply = failure(status, message);
  return {
    ...reply,
    headers: { ...reply.headers, "WWW-Authenticate": "SNWS2", "X-SN-ErrorMessage": message, ...CHALLENGE_HEADERS },
  };
}

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  415: "Unsupported Media Type",
};

/** Spring Boot's error page as JSON (with SolarNetwork's `success: false`), for servlet-level errors. */
export function bootError(status: number, request: ReceivedRequest, now: number): Reply {
  const timestamp = new Date(now).toISOString().replace("Z", "+00:00");
  return json(status, {
    timestamp,
    status,
    error: REASONS[status] ?? "Error",
    path: request.rawPath,
    success: false,
  });
}

export const INTERNAL_ERROR = (): Reply => failure(500, "Internal error");

export class ApiError extends Error {
  constructor(readonly reply: Reply) {
    super("api error");
  }
}

export function denied(reason: "ACCESS_DENIED" | "UNKNOWN_OBJECT"): ApiError {
  return new ApiError(failure(403, reason));
}
