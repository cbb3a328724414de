import { Elysia, t } from "elysia";
import type { AuthService } from "../auth/auth-service.ts";
import { ErrorBody } from "../http/error-body.ts";
import { NotFoundError } from "../http/errors.ts";
import { jsonOnly } from "../http/json-only.ts";
import { type RateLimiter, rateLimit } from "../http/rate-limit.ts";
import { requestIdOf } from "../http/request-context.ts";
import { toUserDto, UserDto } from "./user-dto.ts";
import type { UserService } from "./user-service.ts";

/** Printable text with at least one non-space character: no control characters in names or emails. */
const PRINTABLE = "^(?=.*\\S)[^\\u0000-\\u001F\\u007F]+$";

export const RegisterBody = t.Object({
  email: t.String({ format: "email", maxLength: 254, description: "Unique, case-insensitive" }),
  password: t.String({ minLength: 8, maxLength: 256 }),
  displayName: t.String({ minLength: 1, maxLength: 100, pattern: PRINTABLE }),
});

const EmailBody = t.Object({ email: t.String({ format: "email", maxLength: 254 }) });
const ConfirmBody = t.Object({
  token: t.String({ minLength: 1, maxLength: 200 }),
  password: t.String({ minLength: 1, maxLength: 256 }),
});
const bearer = t.Object({ authorization: t.Optional(t.String()) });

export interface UsersRoutesDeps {
  users: UserService;
  auth: AuthService;
  limiter: RateLimiter;
}

/** Registration, confirmation and the current user, under /api/users. */
export function usersRoutes({ users, auth, limiter }: UsersRoutesDeps) {
  const register = new Elysia({ name: "app.users.register" })
    .use(jsonOnly)
    .use(rateLimit("register", limiter))
    .post(
      "/register",
      async ({ body, request, status, set }) => {
        const user = await users.register(body, requestIdOf(request));
        set.headers.location = `/api/users/${user.id}`;
        return status(201, toUserDto(user));
      },
      {
        body: RegisterBody,
        response: { 201: UserDto, 409: ErrorBody, 422: ErrorBody, 429: ErrorBody },
        detail: {
          summary:
            "Register; the confirmation mail is queued in the same transaction and sent in the background. Registering an unconfirmed address again replaces that registration",
        },
      },
    );
  const resend = new Elysia({ name: "app.users.resend" })
    .use(jsonOnly)
    .use(rateLimit("resend-confirmation", limiter))
    .post(
      "/resend-confirmation",
      async ({ body, request, status }) => {
        await users.resendConfirmation(body.email, requestIdOf(request));
        return status(202, { status: "accepted" as const });
      },
      {
        body: EmailBody,
        response: { 202: t.Object({ status: t.Literal("accepted") }), 422: ErrorBody, 429: ErrorBody },
        detail: {
          summary: "Send a new confirmation link (throttled per address; the same answer whether or not it exists)",
        },
      },
    );
  const confirm = new Elysia({ name: "app.users.confirm" })
    .use(jsonOnly)
    .use(rateLimit("confirm", limiter))
    .post(
      "/confirm",
      async ({ body }) => ({
        confirmed: true as const,
        user: toUserDto(await users.confirm(body.token, body.password)),
      }),
      {
        body: ConfirmBody,
        response: {
          200: t.Object({ confirmed: t.Literal(true), user: UserDto }),
          400: ErrorBody,
          401: ErrorBody,
          422: ErrorBody,
          429: ErrorBody,
        },
        detail: {
          summary:
            "Confirm an email address with the link's token and the password chosen at registration (single-use, expiring); 400 says why a token failed",
        },
      },
    );
  return (
    new Elysia({ name: "app.users", prefix: "/api/users", detail: { tags: ["users"] } })
      .use(register)
      .use(resend)
      .use(confirm)
      // Links mailed before confirming took a password pointed here: they lead to the page that asks for it.
      .get("/confirm", ({ query, redirect }) => redirect(`/confirm?token=${encodeURIComponent(query.token)}`, 303), {
        query: t.Object({ token: t.String({ minLength: 1, maxLength: 200 }) }),
        detail: { hide: true },
      })
      .get("/me", async ({ headers }) => toUserDto(await auth.authenticate(headers.authorization)), {
        headers: bearer,
        response: { 200: UserDto, 401: ErrorBody },
        detail: { summary: "The user of the access token", security: [{ bearer: [] }] },
      })
      .get(
        "/:id",
        async ({ headers, params }) => {
          const user = await auth.authenticate(headers.authorization);
          if (user.id !== params.id) throw new NotFoundError("No such user.");
          return toUserDto(user);
        },
        {
          headers: bearer,
          params: t.Object({ id: t.String({ maxLength: 64 }) }),
          response: { 200: UserDto, 401: ErrorBody, 404: ErrorBody },
          detail: { summary: "A user (only your own)", security: [{ bearer: [] }] },
        },
      )
  );
}
