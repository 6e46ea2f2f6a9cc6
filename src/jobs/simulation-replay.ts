import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { ProgramDocument } from "../core/program/document.ts";
import type { StoreHistory } from "../core/simulation/history.ts";
import type { ReplayProgress, ReplayRunner } from "../services/simulation/report.ts";
import { orderSteps } from "../core/simulation/timeline.ts";
import { mergeResults, splitHistory, tiedTogether, type HistoryPart } from "../services/simulation/parts.ts";
import type { InputsReplayed, ReplayOptions, ReplayResult } from "../services/simulation/replay.ts";
import { replayPart } from "./replay-part.ts";
import { packPart } from "./replay-transport.ts";
import type { Documents } from "../storage/memory/values.ts";
import type { ReplayTask, WorkerReply } from "./replay-protocol.ts";
import { replayWorkerScript } from "./replay-worker-script.ts";
import { keepReplayWorker, takeReplayWorker } from "./replay-workers.ts";

/**
 * Inputs per part of a store replayed on its own scratch ledger. A replay's speed per input falls
 * as its scratch ledger grows (a heap of gigabytes for a big store, collected again and again), so
 * a big store is replayed in parts of about this size, even on one core; parts also spread a
 * replay over every core there is. A year of 200 000 orders on two workers: 36.6 s in parts of
 * 40 000 inputs, 32.7 s of 20 000, 32.2 s of 10 000, 32.0 s of 5 000 (each part walks every day of
 * the timeline, a cost that grows with their number).
 */
export const PART_INPUTS = 10_000;

/** Replay workers: one per core, at most 8 (each holds a part's scratch ledger, hundreds of megabytes for a big store). */
export const REPLAY_WORKERS = Math.min(8, availableParallelism());

/**
 * How many inputs a history holds (order updates, events, redemptions and their captures,
 * adjustments): its input steps, as a replay counts them (an order kept without its updates is
 * sent in the steps rebuilt from it).
 */
export function inputCount(history: StoreHistory): number {
  let n = history.events.length + history.credits.length;
  for (const o of history.orders) n += o.updates.length > 0 ? o.updates.length : orderSteps(o).length;
  for (const r of history.redemptions) n += r.finish ? 2 : 1;
  return n;
}

/**
 * Parts for a history: as many as its size needs, rounded up to a whole number per worker, so no
 * worker replays a last part alone while the others wait (3 parts on 2 workers left one idle for
 * a third of the time).
 */
export function partsFor(history: StoreHistory, workers: number): number {
  return workers * Math.max(1, Math.ceil(Math.ceil(inputCount(history) / PART_INPUTS) / workers));
}

/**
 * The inputs every part and run replayed, added up into the share of all of them done: told to
 * `progress` at 0, then each time it passes another percent, and at 1 once every input is replayed.
 */
function sharesOf(history: StoreHistory, runs: number, progress: ReplayProgress | undefined): InputsReplayed {
  if (!progress) return () => undefined;
  const total = inputCount(history) * runs;
  let done = 0;
  let told = 0;
  progress(0);
  return (inputs) => {
    done += inputs;
    const share = total === 0 ? 1 : Math.min(1, done / total);
    if (share > told && (share === 1 || Math.floor(share * 100) > Math.floor(told * 100))) {
      told = share;
      progress(share);
    }
  };
}

/**
 * Replays in this thread, each run on fresh in-memory databases, in `parts` parts (default: as
 * many as the history's size needs) added up (tests, with parts chosen to check that parts add up,
 * and documents kept as jsonb to check that keeping them as given changes nothing).
 */
export function replayInThreadParts(parts?: number, documents?: Documents): ReplayRunner {
  return async (history, runs, progress) => {
    const results = runs.map(() => [] as ReplayResult[]);
    const replayed = sharesOf(history, runs.length, progress);
    for (const part of splitHistory(history, parts ?? partsFor(history, 1), runs.map((r) => r.candidate))) {
      (await replayPart(part, runs, replayed, documents)).forEach((result, run) => results[run]!.push(result));
    }
    return results.map(mergeResults);
  };
}

export const replayInThread: ReplayRunner = replayInThreadParts();

/**
 * A history's parts, each serialised once into memory the workers share, when a worker first
 * needs it: every run of a simulation (and of an assistant's several) reads the same bytes, a
 * worker reads only the part it replays, and the first workers start while the rest are written.
 */
interface SharedParts {
  count: number;
  bytes(part: number): SharedArrayBuffer;
}

const serialised = new WeakMap<StoreHistory, Map<string, SharedParts>>();

function sharedParts(history: StoreHistory, count: number, candidates: ReadonlyArray<ProgramDocument | null>): SharedParts {
  const key = `${count}:${tiedTogether(history, candidates)}`;
  const known = serialised.get(history) ?? new Map<string, SharedParts>();
  serialised.set(history, known);
  let parts = known.get(key);
  if (!parts) {
    const split: Array<HistoryPart | null> = splitHistory(history, count, candidates);
    const bytes: SharedArrayBuffer[] = [];
    parts = {
      count: split.length,
      bytes(part) {
        let shared = bytes[part];
        if (!shared) {
          shared = packPart(split[part]!);
          split[part] = null; // the bytes are all the workers need now
          bytes[part] = shared;
        }
        return shared;
      },
    };
    known.set(key, parts);
  }
  return parts;
}

/**
 * Replays in worker threads (REPLAY_WORKERS): a replay is CPU work for seconds, which must not
 * stall the server's requests. The store is split in parts (parts.ts); the workers take the parts
 * one after the other until none is left, each replaying its part for every run (read once for
 * all); each run's parts are then added up.
 */
export function replayInWorkerPool(workers = REPLAY_WORKERS): ReplayRunner {
  return async (history, runs, progress) => {
    const results = runs.map(() => [] as ReplayResult[]);
    const replayed = sharesOf(history, runs.length, progress);
    const script = await replayWorkerScript();
    // The workers start (loading their code) while this thread splits the store.
    await pool(script, workers, runs, replayed, () => {
      const parts = sharedParts(history, partsFor(history, workers), runs.map((r) => r.candidate));
      return { tasks: Array.from({ length: parts.count }, (_, part) => ({ part })), load: (task) => ({ ...task, history: parts.bytes(task.part) }) };
    }, (task, partResults) => {
      partResults.forEach((result, run) => (results[run]![task.part] = result));
    });
    return results.map(mergeResults);
  };
}

export const replayInWorker: ReplayRunner = replayInWorkerPool();

/** A task before its part's bytes are loaded. */
type TaskName = Pick<ReplayTask, "part">;

/** The tasks of a pool, and how each is made whole (its part's bytes) when a worker takes it. */
interface PoolWork {
  tasks: ReadonlyArray<TaskName>;
  load(task: TaskName): Omit<ReplayTask, "runs">;
}

/**
 * Runs tasks on `size` workers, each given the next task when it finishes one. `prepare` makes the
 * tasks once the workers are starting; the task next in line is loaded ahead, while the workers
 * replay, so a worker that finishes a part does not wait for the next one's bytes. Workers kept
 * from an earlier simulation are taken first (replay-workers.ts); a worker left without tasks is
 * kept for the next simulation, and those still at work when the pool fails are stopped.
 */
function pool(
  script: URL, size: number, runs: ReadonlyArray<Omit<ReplayOptions, "tx">>, replayed: InputsReplayed, prepare: () => PoolWork, done: (task: TaskName, results: ReplayResult[]) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let running = size;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      // A failed pool's workers still at work are stopped, not kept: one may be in the middle of a
      // part. Their listeners stay: an error one of them raises while it stops is this pool's.
      for (const w of workers) void w.terminate();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const loadAhead = (task: TaskName | undefined) => {
      if (task) setImmediate(() => {
        if (failed) return;
        try {
          work.load(task);
        } catch {
          // Loading it again when a worker takes it fails the pool with the reason.
        }
      });
    };
    const warmOnes: Array<() => void> = [];
    for (let i = 0; i < size; i++) {
      const { worker, warm } = takeReplayWorker(script);
      workers.push(worker);
      let busy: TaskName | null = null;
      const next = () => {
        busy = queue.shift() ?? null;
        if (busy) {
          worker.postMessage({ ...work.load(busy), runs } satisfies ReplayTask);
          return loadAhead(queue[0]);
        }
        detach();
        // Done with this pool: kept for the next, and no longer this pool's to stop if another of its workers fails.
        workers.splice(workers.indexOf(worker), 1);
        keepReplayWorker(worker, script, REPLAY_WORKERS);
        if (--running === 0 && !failed) resolve();
      };
      const onMessage = (reply: WorkerReply) => {
        if (failed) return;
        if (reply.kind === "failed") return fail(new Error(reply.message));
        if (reply.kind === "replayed") return replayed(reply.inputs);
        if (reply.kind === "result") done(busy!, reply.results);
        advance();
      };
      const advance = () => {
        try {
          next();
        } catch (error) {
          fail(error);
        }
      };
      const onExit = (code: number) => {
        if (busy !== null) fail(new Error(`the replay worker stopped (exit code ${code})`));
      };
      const detach = () => {
        worker.off("message", onMessage);
        worker.off("error", fail);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("error", fail);
      worker.on("exit", onExit);
      // A new worker asks for its first task once it is ready; a kept one is ready already.
      if (warm) warmOnes.push(advance);
    }
    let work: PoolWork;
    let queue: TaskName[];
    try {
      work = prepare();
      queue = [...work.tasks];
    } catch (error) {
      return fail(error);
    }
    loadAhead(queue[0]);
    for (const start of warmOnes) start();
  });
}
