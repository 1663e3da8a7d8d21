/**
 * Spring `AntPathMatcher` (case-sensitive, `/` separator) for the patterns SolarNetwork accepts in
 * a policy's `apiPaths`: `?` one character, `*` any characters within a segment, `**` any number
 * of segments, `{name}` one segment.
 */
export function antPathMatch(pattern: string, path: string): boolean {
  if (pattern.startsWith("/") !== path.startsWith("/")) return false;
  const patternParts = pattern.split("/").filter((part) => part !== "");
  const pathParts = path.split("/").filter((part) => part !== "");
  if (!matchSegments(patternParts, 0, pathParts, 0)) return false;
  // A trailing separator must agree unless the pattern ends in `**` (Spring: `/a/*` does not match `/a/b/`).
  if (patternParts[patternParts.length - 1] === "**") return true;
  return pattern.endsWith("/") === path.endsWith("/");
}

function matchSegments(pattern: readonly string[], p: number, path: readonly string[], s: number): boolean {
  if (p === pattern.length) return s === path.length;
  const part = pattern[p] as string;
  if (part === "**") {
    for (let skip = s; skip <= path.length; skip++) {
      if (matchSegments(pattern, p + 1, path, skip)) return true;
    }
    return false;
  }
  const segment = path[s];
  if (segment === undefined || !segmentRegExp(part).test(segment)) return false;
  return matchSegments(pattern, p + 1, path, s + 1);
}

function segmentRegExp(part: string): RegExp {
  let source = "";
  for (let i = 0; i < part.length; i++) {
    const char = part[i] as string;
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "{") {
      const end = part.indexOf("}", i);
      if (end < 0) source += "\\{";
      else {
        source += "[^/]*";
        i = end;
      }
    } else source += char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * Whether allow patterns grant every API path: a pattern with `**` whose segments hold no literal
 * character (`/**`, `**`, `/*\/**`, `/{a}/**`) matches any path a token could reach.
 */
export function grantsEveryPath(patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const segments = pattern.split("/").filter((part) => part !== "");
    return segments.includes("**") && segments.every((part) => /^(?:\*+|\{[^}]*\})$/.test(part));
  });
}
