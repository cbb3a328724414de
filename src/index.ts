// `errand`: the Web-standard core (hosting, scope, clock, channel, queue, jobs, cron). Everything here
// runs on Bun, Node, Deno and Workers: no `bun:`/`node:` imports, no React, no database drivers.
// Runtime-specific pieces are their own entry points: errand/sqlite, errand/postgres, errand/mail,
// errand/elysia, errand/testing.
export * from "./channel/index.ts";
export * from "./clock/clock.ts";
export * from "./cron/index.ts";
export * from "./hosting/index.ts";
export * from "./jobs/index.ts";
export * from "./queue/index.ts";
export * from "./scope/index.ts";
export { MemoryJobStore, memoryStore } from "./stores/memory/index.ts";
