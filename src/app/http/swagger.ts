import type { ElysiaOpenAPIConfig } from "@elysiajs/openapi";
import { type AnyElysia, Elysia } from "elysia";
import swaggerCssPath from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
// Embedded as files, so `bun build --compile` ships them in the binary and the docs work offline.
import swaggerBundlePath from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };

const ASSETS = "/swagger/assets";
const PAGE = "/swagger";
const SPEC = "/swagger/json";

interface MountedPlugin {
  getGlobalRoutes(): unknown;
  getGlobalDefinitions(): unknown;
}

export interface SwaggerOptions {
  version: string;
  /** Whether the admin API is mounted (ADMIN_TOKEN set): its tag is listed only then, not as an empty section. */
  admin: boolean;
}

/**
 * Swagger UI at /swagger and the OpenAPI spec at /swagger/json, with UI assets served locally.
 * @elysiajs/openapi and its schema generator cost about 50 ms of every start, for a page only someone
 * reading the docs opens: the plugin is imported and built on the first request to either path, and
 * answers from then on through these two routes.
 */
export function swagger(options: SwaggerOptions) {
  const plugin = new Elysia({ name: "app.swagger" });
  let docs: Promise<AnyElysia> | undefined;
  const loadDocs = async () => {
    const { openapi } = await import("@elysiajs/openapi");
    const instance = openapi(openapiConfig(options));
    // The spec lists the routes of the whole app, which a plugin reaches through the app it is mounted in.
    // This one is built after the app, so it is linked to it the way Elysia's use() links a plugin (these
    // methods are protected in Elysia's types only).
    const docs = instance as unknown as MountedPlugin;
    const mounted = plugin as unknown as MountedPlugin;
    docs.getGlobalRoutes = () => mounted.getGlobalRoutes();
    docs.getGlobalDefinitions = () => mounted.getGlobalDefinitions();
    return instance;
  };
  const serveDocs = async ({ request }: { request: Request }) => {
    // The page loads the spec by a relative URL, which from /swagger/ would miss it.
    if (new URL(request.url).pathname.endsWith("/"))
      return new Response(null, { status: 308, headers: { location: PAGE } });
    docs ??= loadDocs();
    return (await docs).handle(request);
  };
  return plugin
    .get(`${ASSETS}/swagger-ui-bundle.js`, () => asset(swaggerBundlePath, "text/javascript; charset=utf-8"), {
      detail: { hide: true },
    })
    .get(`${ASSETS}/swagger-ui.css`, () => asset(swaggerCssPath, "text/css; charset=utf-8"), { detail: { hide: true } })
    .get(PAGE, serveDocs, { detail: { hide: true } })
    .get(SPEC, serveDocs, { detail: { hide: true } });
}

function openapiConfig(options: SwaggerOptions): ElysiaOpenAPIConfig {
  return {
    path: PAGE,
    specPath: SPEC,
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
  };
}

function asset(path: string, type: string): Response {
  return new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
