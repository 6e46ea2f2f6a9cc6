import { deserialize } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import type { StoreHistory } from "../core/simulation/history.ts";
import { replayHistory, type ReplayOptions } from "../services/simulation/replay.ts";
import { memoryTransactor } from "../storage/memory/transactor.ts";

/** One replay in a thread of its own: the history (serialised, shared) and options in, the result (or the error's message) out. */
const { history: bytes, options } = workerData as { history: SharedArrayBuffer; options: Omit<ReplayOptions, "tx"> };
try {
  const history = deserialize(new Uint8Array(bytes)) as StoreHistory;
  const result = await replayHistory(history, { ...options, tx: memoryTransactor() });
  parentPort!.postMessage({ ok: true, result });
} catch (error) {
  parentPort!.postMessage({ ok: false, message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });
}
