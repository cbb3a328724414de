import { defineConfig } from "drizzle-kit";

// The app's own migrations, applied at start with their own journal table (the jobs store has its own).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/app/db/sqlite/schema.ts",
  out: "./drizzle/app-sqlite",
});
