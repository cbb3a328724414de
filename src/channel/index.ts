export { type Channel, createChannel } from "./create-channel.ts";
export { ChannelClosedError } from "./errors.ts";
export type { ChannelOptions, FullMode } from "./options.ts";
export { ChannelReader } from "./reader.ts";
export { NO_ITEM, type NoItem } from "./state.ts";
export { ChannelWriter } from "./writer.ts";
