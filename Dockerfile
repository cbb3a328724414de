# syntax=docker/dockerfile:1
# Errand's reference app as a single compiled binary (bun build --compile), run as a non-root user.

FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY package.json bun.lock ./
# Everything the app imports is a devDependency (the package's runtime dependencies are the library's),
# so no --production here; only the binary leaves this stage.
RUN bun install --frozen-lockfile
COPY tsconfig.json bunfig.toml ./
COPY src ./src
COPY emails ./emails
COPY drizzle ./drizzle
RUN bun run build

FROM debian:bookworm-slim AS runtime
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app errand && mkdir -p /app/data && chown errand /app/data
# drizzle's migrator reads its folder from disk at start, so migrations ship beside the binary.
COPY --from=build /app/build/errand ./errand
COPY --from=build /app/drizzle ./drizzle
USER errand
ENV NODE_ENV=production PORT=3000 DATABASE_URL=/app/data/errand.sqlite
EXPOSE 3000
STOPSIGNAL SIGTERM
# No curl in the image: the binary probes itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app/errand", "healthcheck"]
CMD ["/app/errand"]
