import type { Policy } from "../../backends/solarnetwork/model.js";
import { decodePolicy, type DecodedPolicy } from "./policy.js";
import { ApiError, bootError, failure, INTERNAL_ERROR } from "./replies.js";
import type { ReceivedRequest } from "./verify.js";

/** A request's arguments as Spring MVC binds them, failing as the real server does. */

/** `@RequestParam String`: several values are joined with commas; absent is `undefined`. */
export function param(request: ReceivedRequest, name: string): string | undefined {
  const values = request.parameters.filter(([n]) => n === name).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(",");
}

export function requiredParam(request: ReceivedRequest, ctx: { readonly now: number }, name: string): string {
  const value = param(request, name);
  if (value === undefined) throw new ApiError(bootError(400, request, ctx.now));
  return value;
}

/** `String[]` binding: one value is split on commas (elements trimmed), several are kept as sent. */
export function arrayParam(request: ReceivedRequest, name: string): string[] | undefined {
  const values = request.parameters.filter(([n]) => n === name).map(([, v]) => v);
  if (values.length === 0) return undefined;
  if (values.length > 1) return values;
  return (values[0] as string)
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** Spring's String-to-enum conversion (trimmed, case-sensitive), failing with 422 as the real server does. */
export function enumArgument<T extends string>(
  request: ReceivedRequest,
  ctx: { readonly now: number },
  value: string,
  allowed: readonly T[],
  parameter: string,
  javaType: string,
  annotation: "PathVariable" | "RequestParam",
): T {
  const trimmed = value.trim();
  if (trimmed === "") throw new ApiError(bootError(400, request, ctx.now));
  if ((allowed as readonly string[]).includes(trimmed)) return trimmed as T;
  throw new ApiError(
    failure(
      422,
      `Illegal argument: Method parameter '${parameter}': Failed to convert value of type 'java.lang.String' to required type '${javaType}'; Failed to convert from type [java.lang.String] to type [@org.springframework.web.bind.annotation.${annotation} ${javaType}] for value [${value}]`,
    ),
  );
}

export function isJsonContentType(request: ReceivedRequest): boolean {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[^/]+\+json$/.test(type);
}

/** A `@RequestBody SecurityPolicy`; `undefined` for no body (or JSON `null`). */
export function policyBody(request: ReceivedRequest, required: string | undefined): Policy | undefined {
  const text = request.body.toString("utf8");
  const decoded: DecodedPolicy = text.trim() === "" ? { kind: "null" } : decodePolicy(text);
  switch (decoded.kind) {
    case "policy":
      return decoded.policy;
    case "malformed":
      throw new ApiError(failure(422, `Malformed JSON: ${decoded.message}`));
    case "internal":
      throw new ApiError(INTERNAL_ERROR());
    case "null":
      if (required !== undefined) {
        throw new ApiError(
          failure(
            422,
            `Malformed request: Required request body is missing: public net.solarnetwork.domain.Result<net.solarnetwork.central.user.domain.UserAuthToken> net.solarnetwork.central.reg.web.api.v1.UserAuthTokenController.${required}(java.security.Principal,java.lang.String,net.solarnetwork.domain.SecurityPolicy)`,
          ),
        );
      }
      return undefined;
  }
}
