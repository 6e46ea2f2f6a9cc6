import { parentPort } from "node:worker_threads";
import { replayPart } from "./replay-part.ts";
import type { ReplayTask, WorkerReply } from "./replay-protocol.ts";
import { unpackPart } from "./replay-transport.ts";

/**
 * A replay worker: replays the parts it is sent, one after the other, each read once from the
 * bytes the pool shares and replayed for every run it names (the current program, a candidate),
 * each run on a fresh in-memory database, until it is stopped: a worker may serve several
 * simulations one after the other (replay-workers.ts), so it keeps nothing of one part for the next.
 */
const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);
const failed = (error: unknown) => reply({ kind: "failed", message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });

port.on("message", (task: ReplayTask) => {
  Promise.resolve()
    .then(() => replayPart(unpackPart(task.history), task.runs, (inputs) => reply({ kind: "replayed", inputs })))
    .then((results) => reply({ kind: "result", results }), failed);
});
reply({ kind: "ready" });
