import { deserialize } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import type { StoreHistory } from "../core/simulation/history.ts";
import { splitHistory } from "../services/simulation/parts.ts";
import { replayHistory, type ReplayOptions } from "../services/simulation/replay.ts";
import { memoryTransactor } from "../storage/memory/transactor.ts";
import type { ReplayTask, WorkerReply } from "./replay-protocol.ts";

/**
 * A replay worker: reads the history (serialised, shared) once, splits it as every worker of the
 * pool does (the split is the same for the same history), then replays the (run, part) tasks it is
 * sent, each on a fresh in-memory database, until the pool stops it.
 */
const { history: bytes, parts, runs } = workerData as { history: SharedArrayBuffer; parts: number; runs: Array<Omit<ReplayOptions, "tx">> };
const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);
const failed = (error: unknown) => reply({ kind: "failed", message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });

try {
  const history = deserialize(new Uint8Array(bytes)) as StoreHistory;
  const split = splitHistory(history, parts, runs.map((r) => r.candidate));
  port.on("message", (task: ReplayTask) => {
    const part = split[task.part];
    if (!part) return reply({ kind: "result", result: null });
    replayHistory(history, { ...runs[task.run]!, tx: memoryTransactor() }, part).then((result) => reply({ kind: "result", result }), failed);
  });
  reply({ kind: "ready" });
} catch (error) {
  failed(error);
}
