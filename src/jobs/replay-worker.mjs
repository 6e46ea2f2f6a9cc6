// A worker thread starts without the TypeScript loader of the process that made it: register it first.
import { register } from "tsx/esm/api";

register();
await import("./replay-worker.ts");
