// Preloaded (node --import test/support/new-space-probe.mjs dist/cli.js) by test/memory.test.ts only:
// on SIGUSR2, one line on stderr with the size of V8's young generation (new space). With
// NEW_SPACE_PROBE_IGNORE_FLAGS=1, v8.setFlagsFromString does nothing, as under a Node that ignored
// run-time flag changes: the test's control run.
import { syncBuiltinESMExports } from "node:module";
import process from "node:process";
import v8 from "node:v8";

if (process.env.NEW_SPACE_PROBE_IGNORE_FLAGS === "1") {
  v8.setFlagsFromString = () => undefined;
  syncBuiltinESMExports();
}
process.on("SIGUSR2", () => {
  const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === "new_space");
  process.stderr.write(`NEW-SPACE ${newSpace?.space_size ?? -1}\n`);
});
