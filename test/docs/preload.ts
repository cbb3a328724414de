// Preloaded into every README block the doc-test runs: a server listens on a free port whatever port
// the block names (a reader's example says 3000; the machine running the tests may use 3000 already).
// Read the real address from the server (`app.server.url`, or what `serve()` returns and logs).
const serve = Bun.serve;
Bun.serve = ((options: Parameters<typeof Bun.serve>[0]) =>
  serve({ ...options, port: 0 } as Parameters<typeof Bun.serve>[0])) as typeof Bun.serve;
