// Preloaded into a spawned server by the doctor tests: every host name but localhost fails to
// resolve (ENOTFOUND) without a query, so no traffic leaves the machine.
import dns from "node:dns";
import { syncBuiltinESMExports } from "node:module";
import process from "node:process";

const local = (hostname) => hostname === "localhost";
const notFound = (hostname) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname, syscall: "getaddrinfo" });
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (local(hostname)) return lookup.call(this, hostname, options, callback);
  const done = typeof options === "function" ? options : callback;
  process.nextTick(() => done(notFound(hostname)));
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = async (hostname, options) => {
  if (local(hostname)) return lookupPromise(hostname, options);
  throw notFound(hostname);
};
syncBuiltinESMExports();
