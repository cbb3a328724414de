// Run by bench/startup.ts in a fresh process: how long `await import(specifier)` takes, and the RSS after.
// With `--after other`, `other` is imported first and not timed: what the specifier adds to it.
// From the repository root, tsconfig's paths resolve `errand` and its subpaths to src/ (what the app runs).
const [specifier, flag, before] = process.argv.slice(2);
if (!specifier || (flag !== undefined && (flag !== "--after" || !before))) {
  throw new Error("usage: bun bench/lib/startup-import.ts <specifier> [--after <specifier>]");
}
if (before) await import(before);
const began = performance.now();
await import(specifier);
const ms = performance.now() - began;
console.log(JSON.stringify({ ms, rssMb: process.memoryUsage.rss() / 2 ** 20 }));

export {};
