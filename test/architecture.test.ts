import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** The house's floors, read from the sources' imports (static, dynamic and type-only alike). */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Each module's path under src/ and the src/ modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, "utf8");
    const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)"(\.[^"]+)"/g)].map((match) => match[1]!);
    const targets = specifiers.map((specifier) => relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, ".ts"));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** The backend a module belongs to (its folder under backends/ or simulators/), or undefined for generic code. */
function backendOf(module: string): string | undefined {
  return /^(?:backends|simulators)\/([^/]+)\//.exec(module)?.[1];
}

const graph = importGraph();

describe("the plug-in seam", () => {
  it("reads every module's imports (the graph is not empty, and resolves to files that exist)", () => {
    expect(graph.size).toBeGreaterThan(50);
    for (const [module, targets] of graph) for (const target of targets) expect(graph.has(target), `${module} imports ${target}`).toBe(true);
  });

  it("no generic module imports a backend's folder, except the registry", () => {
    const crossings = [...graph].flatMap(([module, targets]) =>
      backendOf(module) === undefined && module !== "registry.ts"
        ? targets.filter((target) => backendOf(target) !== undefined).map((target) => `${module} -> ${target}`)
        : [],
    );
    expect(crossings).toEqual([]);
  });

  it("no backend imports another backend's folder", () => {
    const crossings = [...graph].flatMap(([module, targets]) => {
      const own = backendOf(module);
      return own === undefined ? [] : targets.filter((target) => ![undefined, own].includes(backendOf(target))).map((target) => `${module} -> ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it("the simulators import a client's code for its types only: they are written from the APIs' documents", () => {
    const valueImports = sources(join(SRC, "simulators")).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]*\/backends\/[^"]+)"/gm)].map(
        (match) => `${relative(SRC, file)} -> ${match[1]}`,
      ),
    );
    expect(valueImports).toEqual([]);
  });

  it("no module imports itself through others (no circle)", () => {
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (module: string, path: string[]) => {
      if (state.get(module) === "done") return;
      if (state.get(module) === "open") return void circles.push([...path.slice(path.indexOf(module)), module].join(" -> "));
      state.set(module, "open");
      for (const target of graph.get(module) ?? []) visit(target, [...path, module]);
      state.set(module, "done");
    };
    for (const module of graph.keys()) visit(module, []);
    expect(circles).toEqual([]);
  });
});
