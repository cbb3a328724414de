import { defineConfig } from "drizzle-kit";

// The app's own PostgreSQL migrations; applied at start into DATABASE_SCHEMA with their own journal.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/app/db/postgres/schema.ts",
  out: "./drizzle/app-postgres",
});
