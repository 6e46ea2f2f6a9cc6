import { parentPort, workerData } from "node:worker_threads";
import type { ReplayOptions } from "../services/simulation/replay.ts";
import { replayPart } from "./replay-part.ts";
import type { ReplayTask, WorkerReply } from "./replay-protocol.ts";
import { unpackPart } from "./replay-transport.ts";

/**
 * A replay worker: replays the parts it is sent, one after the other, each read once from the
 * bytes the pool shares and replayed for every run (the current program, a candidate), each run on
 * a fresh in-memory database, until the pool stops it.
 */
const { runs } = workerData as { runs: Array<Omit<ReplayOptions, "tx">> };
const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);
const failed = (error: unknown) => reply({ kind: "failed", message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });

port.on("message", (task: ReplayTask) => {
  Promise.resolve()
    .then(() => replayPart(unpackPart(task.history), runs, (inputs) => reply({ kind: "replayed", inputs })))
    .then((results) => reply({ kind: "result", results }), failed);
});
reply({ kind: "ready" });
