// Errand's public API. The reference app (src/app, src/main.ts) is not part of it.

export * from "./channel/index.ts";
export * from "./clock/index.ts";
export * from "./cron/index.ts";
export * from "./elysia/index.ts";
export * from "./hosting/index.ts";
export * from "./jobs/index.ts";
export * from "./mail/index.ts";
export * from "./queue/index.ts";
export * from "./scope/index.ts";
export * from "./stores/postgres/index.ts";
export * from "./stores/sqlite/index.ts";
