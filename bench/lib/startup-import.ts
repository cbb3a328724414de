// Run by bench/startup.ts in a fresh process: how long `await import(specifier)` takes, and the RSS after.
// From the repository root, tsconfig's paths resolve `errand` and its subpaths to src/ (what the app runs).
const specifier = process.argv[2];
if (!specifier) throw new Error("usage: bun bench/lib/startup-import.ts <specifier>");
const began = performance.now();
await import(specifier);
const ms = performance.now() - began;
console.log(JSON.stringify({ ms, rssMb: process.memoryUsage.rss() / 2 ** 20 }));

export {};
