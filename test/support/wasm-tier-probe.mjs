// Run with --allow-natives-syntax: prints which compiler runs a hot WebAssembly function, after
// src/memory.ts's favourMemoryOverSpeed() (argument "favoured") or without it (the control).
/* global WebAssembly */
import process from "node:process";
import { setTimeout } from "node:timers/promises";

// A tiny module standing in for undici's HTTP parser: (func (export "f") (result i32) i32.const 7)
const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65, 7, 11]);
if (process.argv[2] === "favoured") (await import("../../dist/memory.js")).favourMemoryOverSpeed();
const f = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f;
const isTurboFan = new Function("f", "return %IsTurboFanFunction(f)");
// Tier-up is dynamic (by work done) and compiled in the background: call until it shows, or give up.
for (let round = 0; round < 200 && !isTurboFan(f); round++) {
  for (let i = 0; i < 1e5; i++) f();
  await setTimeout(1);
}
process.stdout.write(isTurboFan(f) ? "turbofan" : "liftoff");
