#!/usr/bin/env node
import module from "node:module";

// Node >= 22.1 can keep compiled code between starts: about 20-30 ms of a 150 ms start to the
// first tools/list. It must be on before the rest of the server is loaded, hence this small entry.
// Node 20 has no compile cache.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import("./main.js");
