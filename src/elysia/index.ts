export { HostingPluginMissingError } from "./errors.ts";
export { hosting, hostOf, withHostedService } from "./hosting.ts";
export { type Served, type ServeOptions, serve } from "./serve.ts";
