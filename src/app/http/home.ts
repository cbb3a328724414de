import { Elysia } from "elysia";

export type HomeLinks = {
  /** Swagger UI, when SWAGGER_ENABLED. */
  docs?: string;
  /** The mail preview, when mails are kept instead of sent (no RESEND_API_KEY) and DEV_ROUTES_ENABLED. */
  mail?: string;
};

/**
 * `GET /` outside production: where to go on a first run (the API docs, the mails the app "sent"),
 * instead of a bare 404. Production mounts nothing here.
 */
export function home(links: HomeLinks) {
  return new Elysia({ name: "app.home" }).get(
    "/",
    () => ({
      name: "Errand reference API",
      links: { ...links, health: "/health/ready" },
    }),
    { detail: { hide: true } },
  );
}
