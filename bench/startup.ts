// Start-up time and idle memory of the reference app, side by side with a bare Elysia app, from source
// and as compiled binaries, plus the import time of each Errand entry point.
//   ready ms: from spawning the process to the first 200 from GET /health/ready (polled every 2 ms);
//             the app on a fresh SQLite file (in the temp dir) each launch, so its migrations run and
//             their fsyncs count, as on a new instance. Binaries: `bun run build`'s build/errand, and the
//             bare app compiled with the same flags.
//   CPU ms:   the process's CPU time (all threads) at that first 200: steadier than wall time when
//             other work shares the cores.
//   RSS:      at that first 200, and once idle: sampled every 250 ms until four samples in a row agree
//             within 1 MB (at most 8 s after ready).
//   import:   `await import(specifier)` in a fresh `bun` process, timed inside it; RSS after. From
//             source (tsconfig paths), as the app runs it, and errand as installed: the compiled dist/
//             of `bun run build:lib` (--no-build: dist/ as it is).
// Each variant runs RUNS times, the runs interleaved across variants so a busy moment on a shared
// machine hits all alike; medians. The load average (1 min) is sampled at each launch.
//   bun bench/startup.ts [--runs 5] [--no-build] [--only apps|imports]
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import packageJson from "../package.json" with { type: "json" };
import { median, printTable } from "./lib/table.ts";

const root = resolve(import.meta.dir, "..");
const bun = process.execPath;

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const runs = Number(flag("runs") ?? 5);
const only = flag("only");
const build = !process.argv.includes("--no-build");

interface AppVariant {
  name: string;
  command: string[];
  env: Record<string, string>;
}

interface Launch {
  readyMs: number;
  readyCpuMs: number;
  readyRssMb: number;
  idleRssMb: number;
  load: number;
}

// What production requires: a generated secret, the public URL, a mail provider (Resend; no mail is sent here).
const production = {
  NODE_ENV: "production",
  AUTH_SECRET: "q0Ez8m1Ow9sVt2kKXb4hJ6cN3yRpLuD7aGfW5iTnYvs=",
  PUBLIC_URL: "https://app.example.com",
  RESEND_API_KEY: "re_bench_never_used",
  LOG_LEVEL: "warn",
};
// The defaults of `bun src/main.ts`: Swagger UI and the mail preview mounted.
const development = { NODE_ENV: "development", LOG_LEVEL: "warn" };

function appVariants(dir: string): AppVariant[] {
  const source = [bun, join(root, "src/main.ts")];
  const binary = [join(root, "build/errand")];
  return [
    { name: "bare Elysia app (source)", command: [bun, join(root, "bench/lib/startup-bare.ts")], env: {} },
    { name: "bare Elysia app (binary)", command: [join(dir, "bare")], env: {} },
    { name: "reference app, production env (source)", command: source, env: production },
    { name: "reference app, development env (source)", command: source, env: development },
    { name: "reference app, production env (binary)", command: binary, env: production },
    { name: "reference app, development env (binary)", command: binary, env: development },
  ];
}

function compile(dir: string): void {
  const steps = [
    // The build script as written: build/errand, the artifact the Dockerfile ships (--no-build: as it is).
    ...(build ? [["bun", "run", "build"]] : []),
    // The bare app with the same flags, so the two binaries differ only in what they bundle.
    [
      "sh",
      "-c",
      packageJson.scripts.build
        .replace("src/main.ts", "bench/lib/startup-bare.ts")
        .replace(/--outfile \S+/, `--outfile ${join(dir, "bare")}`),
    ],
  ];
  for (const command of steps) {
    const result = Bun.spawnSync(command, { cwd: root, stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0) throw new Error(`${command.join(" ")} failed:\n${result.stderr.toString()}`);
  }
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  await server.stop(true);
  return port;
}

async function rssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1]);
  return kb / 1024;
}

/**
 * CPU time the process's threads have run so far (schedstat, in ns): unlike wall time, it barely moves
 * when other work shares the cores, so it compares variants on a busy machine.
 */
async function cpuMs(pid: number): Promise<number> {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number((await Bun.file(`/proc/${pid}/task/${task}/schedstat`).text()).split(" ")[0]);
  }
  return ns / 1e6;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function launch(variant: AppVariant, dir: string, run: number): Promise<Launch> {
  const port = await freePort();
  const database = join(dir, `${variant.name.replace(/\W+/g, "-")}-${run}.sqlite`);
  const load = loadavg()[0]!;
  const began = performance.now();
  // cwd = the repository root: the binary reads drizzle/ from there, as it does beside it in the image.
  const child = Bun.spawn(variant.command, {
    cwd: root,
    env: { ...process.env, ...variant.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: database },
    stdout: "ignore",
    stderr: "pipe",
  });
  try {
    const url = `http://127.0.0.1:${port}/health/ready`;
    let readyMs = 0;
    while (!readyMs) {
      if (child.exitCode !== null) {
        throw new Error(`${variant.name} exited with ${child.exitCode}: ${await new Response(child.stderr).text()}`);
      }
      const status = await fetch(url).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) readyMs = performance.now() - began;
      else await sleep(2);
    }
    const readyCpuMs = await cpuMs(child.pid);
    const readyRssMb = await rssMb(child.pid);
    const samples: number[] = [];
    const settled = () => samples.length >= 4 && Math.max(...samples.slice(-4)) - Math.min(...samples.slice(-4)) <= 1;
    while (!settled() && samples.length < 32) {
      await sleep(250);
      samples.push(await rssMb(child.pid));
    }
    return { readyMs, readyCpuMs, readyRssMb, idleRssMb: samples.at(-1)!, load };
  } finally {
    child.kill("SIGKILL");
    await child.exited;
  }
}

interface Imported {
  ms: number;
  rssMb: number;
  load: number;
}

interface ImportVariant {
  name: string;
  specifier: string;
  /** Imported first, untimed: the row is what `specifier` adds to it. */
  after?: string;
}

const IMPORTS: ImportVariant[] = [
  { name: "elysia", specifier: "elysia" },
  ...["errand", "errand/sqlite", "errand/postgres", "errand/mail", "errand/elysia"].map((specifier) => ({
    name: specifier,
    specifier,
  })),
  // What a user's `import "errand"` loads: the package's compiled JavaScript.
  { name: "errand, as installed (dist/)", specifier: join(root, "dist/index.js") },
  // In an Elysia app TypeBox is already loaded (Elysia's own dependency): what errand adds there.
  { name: "errand, after elysia", specifier: "errand", after: "elysia" },
];

function importOnce(variant: ImportVariant): Imported {
  const load = loadavg()[0]!;
  const after = variant.after ? ["--after", variant.after] : [];
  const child = Bun.spawnSync([bun, join(root, "bench/lib/startup-import.ts"), variant.specifier, ...after], {
    cwd: root,
  });
  if (child.exitCode !== 0) throw new Error(`import ${variant.name} failed: ${child.stderr.toString()}`);
  return { ...(JSON.parse(child.stdout.toString()) as Omit<Imported, "load">), load };
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);
const loadRange = (loads: number[]) => `${fixed(Math.min(...loads), 1)}–${fixed(Math.max(...loads), 1)}`;

async function benchApps(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "errand-bench-startup-"));
  try {
    compile(dir);
    const variants = appVariants(dir);
    const results = new Map<string, Launch[]>();
    for (let run = 0; run < runs; run++) {
      for (const variant of variants) {
        results.set(variant.name, [...(results.get(variant.name) ?? []), await launch(variant, dir, run)]);
      }
    }
    printTable(
      [
        "variant",
        "ready ms (median)",
        "ready ms (min–max)",
        "CPU ms to ready",
        "RSS at ready MB",
        "RSS idle MB",
        "load avg (1 min)",
      ],
      variants.map((variant) => {
        const all = results.get(variant.name)!;
        const ready = all.map((l) => l.readyMs);
        return [
          variant.name,
          fixed(median(ready)),
          `${fixed(Math.min(...ready))}–${fixed(Math.max(...ready))}`,
          fixed(median(all.map((l) => l.readyCpuMs))),
          fixed(median(all.map((l) => l.readyRssMb))),
          fixed(median(all.map((l) => l.idleRssMb))),
          loadRange(all.map((l) => l.load)),
        ];
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchImports(): void {
  if (build) Bun.spawnSync(["bun", "run", "build:lib"], { cwd: root, stdout: "ignore", stderr: "inherit" });
  const results = new Map<string, Imported[]>();
  for (let run = 0; run < runs; run++) {
    for (const variant of IMPORTS) {
      results.set(variant.name, [...(results.get(variant.name) ?? []), importOnce(variant)]);
    }
  }
  printTable(
    ["import", "ms (median)", "ms (min–max)", "RSS after MB", "load avg (1 min)"],
    IMPORTS.map(({ name }) => {
      const all = results.get(name)!;
      const ms = all.map((i) => i.ms);
      return [
        name,
        fixed(median(ms), 1),
        `${fixed(Math.min(...ms), 1)}–${fixed(Math.max(...ms), 1)}`,
        fixed(median(all.map((i) => i.rssMb))),
        loadRange(all.map((i) => i.load)),
      ];
    }),
  );
}

console.log(
  `Start-up, median of ${runs} launches per variant, interleaved (Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${new Date().toISOString()})`,
);
if (only !== "imports") await benchApps();
if (only !== "apps") {
  console.log();
  benchImports();
}
