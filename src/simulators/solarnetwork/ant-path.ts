/**
 * A policy's `apiPaths` patterns as Spring's `AntPathMatcher` documents them (case-sensitive, `/`
 * separated): `?` is one character, `*` any characters within a segment, `**` any number of whole
 * segments, `{name}` one segment. Written for the simulator apart from the client's matcher.
 */
export function matchesAntPattern(pattern: string, path: string): boolean {
  if (pattern.startsWith("/") !== path.startsWith("/")) return false;
  const patternSegments = pattern.split("/").filter(Boolean);
  const pathSegments = path.split("/").filter(Boolean);
  const wholeMatch = matchFrom(patternSegments, pathSegments);
  if (!wholeMatch) return false;
  // A pattern ending in a wildcard segment takes a trailing separator or not; any other must agree.
  return ["*", "**"].includes(patternSegments.at(-1) ?? "") || pattern.endsWith("/") === path.endsWith("/");
}

function matchFrom(pattern: readonly string[], path: readonly string[]): boolean {
  const [first, ...rest] = pattern;
  if (first === undefined) return path.length === 0;
  if (first === "**") return path.some((_, skipped) => matchFrom(rest, path.slice(skipped))) || matchFrom(rest, []);
  const [segment, ...remaining] = path;
  return segment !== undefined && segmentPattern(first).test(segment) && matchFrom(rest, remaining);
}

function segmentPattern(segment: string): RegExp {
  const source = segment
    .split(/(\{[^}]*\}|\*|\?)/)
    .map((part) => (part === "*" ? ".*" : part === "?" ? "." : /^\{.*\}$/.test(part) ? "[^/]*" : part.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}
