// The floor bench/startup.ts compares the reference app with: an Elysia app with only a readiness route.
import { Elysia } from "elysia";

new Elysia()
  .get("/health/ready", () => ({ status: "ready" as const }))
  .listen({ port: Number(process.env.PORT), hostname: "127.0.0.1" });
