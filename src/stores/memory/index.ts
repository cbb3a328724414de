export { MemoryJobStore, memoryStore } from "./store.ts";
