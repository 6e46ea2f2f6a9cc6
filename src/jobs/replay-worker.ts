import { deserialize } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import type { HistoryPart } from "../services/simulation/parts.ts";
import { replayHistory, type ReplayOptions } from "../services/simulation/replay.ts";
import { memoryTransactor } from "../storage/memory/transactor.ts";
import type { ReplayTask, WorkerReply } from "./replay-protocol.ts";

/**
 * A replay worker: replays the (run, part) tasks it is sent, one after the other, each part read
 * from the bytes the pool shares and replayed on a fresh in-memory database, until the pool stops it.
 */
const { runs } = workerData as { runs: Array<Omit<ReplayOptions, "tx">> };
const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);
const failed = (error: unknown) => reply({ kind: "failed", message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });

port.on("message", (task: ReplayTask) => {
  try {
    const { history, part } = deserialize(new Uint8Array(task.history)) as HistoryPart;
    replayHistory(history, { ...runs[task.run]!, tx: memoryTransactor() }, part).then((result) => reply({ kind: "result", result }), failed);
  } catch (error) {
    failed(error);
  }
});
reply({ kind: "ready" });
