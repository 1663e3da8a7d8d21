// Preloaded (node --expose-gc --import bench/gc-preload.mjs dist/cli.js) only in the bench's
// dedicated memory run: on SIGUSR2, two full garbage collections, then one line on stderr with the
// process's memory figures. The server's own code is not touched.
import process from "node:process";

let sequence = 0;
process.on("SIGUSR2", () => {
  const collect = globalThis.gc;
  if (typeof collect !== "function") throw new Error("bench/gc-preload.mjs needs node --expose-gc");
  collect();
  collect();
  sequence += 1;
  process.stderr.write(`BENCH-GC ${sequence} ${JSON.stringify(process.memoryUsage())}\n`);
});
