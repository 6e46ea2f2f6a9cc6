import { serialize } from "node:v8";
import { Worker } from "node:worker_threads";
import type { StoreHistory } from "../core/simulation/history.ts";
import type { ReplayRunner } from "../services/simulation/report.ts";
import { replayHistory, type ReplayResult } from "../services/simulation/replay.ts";
import { memoryTransactor } from "../storage/memory/transactor.ts";

/** Replays in this thread, on a fresh in-memory database (tests, and the CLI's single run). */
export const replayInThread: ReplayRunner = (history, options) => replayHistory(history, { ...options, tx: memoryTransactor() });

/**
 * A history serialised once into memory the workers share: the two replays of a simulation (and
 * an assistant's several) read the same bytes, where handing each worker the object copied it
 * once per worker, hundreds of megabytes each time for a big store.
 */
const serialised = new WeakMap<StoreHistory, SharedArrayBuffer>();

function shared(history: StoreHistory): SharedArrayBuffer {
  let bytes = serialised.get(history);
  if (!bytes) {
    const buffer = serialize(history);
    bytes = new SharedArrayBuffer(buffer.length);
    new Uint8Array(bytes).set(buffer);
    serialised.set(history, bytes);
  }
  return bytes;
}

/**
 * Replays in a worker thread: a replay is CPU work for seconds, which must not stall the server's
 * requests, and the two replays of a simulation then run on two cores at once.
 */
export const replayInWorker: ReplayRunner = (history, options) =>
  new Promise<ReplayResult>((resolve, reject) => {
    const worker = new Worker(new URL("./replay-worker.mjs", import.meta.url), { workerData: { history: shared(history), options } });
    let settled = false;
    worker.once("message", (message: { ok: true; result: ReplayResult } | { ok: false; message: string }) => {
      settled = true;
      if (message.ok) resolve(message.result);
      else reject(new Error(message.message));
      void worker.terminate();
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`the replay worker stopped (exit code ${code})`));
    });
  });
