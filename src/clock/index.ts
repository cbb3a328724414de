export { type Clock, systemClock } from "./clock.ts";
export { FakeClock } from "./fake-clock.ts";
