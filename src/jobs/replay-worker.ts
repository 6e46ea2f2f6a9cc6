import { deserialize } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import type { HistoryPart } from "../services/simulation/parts.ts";
import type { ReplayOptions } from "../services/simulation/replay.ts";
import { replayPart } from "./replay-part.ts";
import type { ReplayTask, WorkerReply } from "./replay-protocol.ts";

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
    .then(() => replayPart(deserialize(new Uint8Array(task.history)) as HistoryPart, runs, (inputs) => reply({ kind: "replayed", inputs })))
    .then((results) => reply({ kind: "result", results }), failed);
});
reply({ kind: "ready" });
