import { defineConfig } from "drizzle-kit";

// The table has no schema on purpose: the generated SQL stays schema-free and the store applies it
// inside the schema picked at runtime (postgresStore({ schema })) through search_path.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/stores/postgres/schema.ts",
  out: "./drizzle/postgres",
});
