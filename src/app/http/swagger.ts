import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import swaggerCssPath from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
// Embedded as files, so `bun build --compile` ships them in the binary and the docs work offline.
import swaggerBundlePath from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };

const ASSETS = "/swagger/assets";

export interface SwaggerOptions {
  version: string;
  /** Whether the admin API is mounted (ADMIN_TOKEN set): its tag is listed only then, not as an empty section. */
  admin: boolean;
}

/** Swagger UI at /swagger and the OpenAPI spec at /swagger/json, with UI assets served locally. */
export function swagger(options: SwaggerOptions) {
  return new Elysia({ name: "app.swagger" })
    .get(`${ASSETS}/swagger-ui-bundle.js`, () => asset(swaggerBundlePath, "text/javascript; charset=utf-8"), {
      detail: { hide: true },
    })
    .get(`${ASSETS}/swagger-ui.css`, () => asset(swaggerCssPath, "text/css; charset=utf-8"), { detail: { hide: true } })
    .use(
      openapi({
        path: "/swagger",
        specPath: "/swagger/json",
        provider: "swagger-ui",
        swagger: { cdn: `${ASSETS}/swagger-ui-bundle.js`, theme: `${ASSETS}/swagger-ui.css`, autoDarkMode: false },
        exclude: { paths: [/^\/swagger/, /^\/admin/, /^\/dev/] },
        documentation: {
          info: {
            title: "Errand reference API",
            version: options.version,
            description: "Users with email confirmation, tokens, admin over durable jobs, health and metrics.",
          },
          tags: [
            { name: "users", description: "Registration and email confirmation" },
            { name: "auth", description: "Access and refresh tokens" },
            ...(options.admin ? [{ name: "admin", description: "Jobs and crons (bearer ADMIN_TOKEN)" }] : []),
            { name: "operations", description: "Health and metrics" },
          ],
          components: {
            securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
          },
        },
      }),
    );
}

function asset(path: string, type: string): Response {
  return new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
