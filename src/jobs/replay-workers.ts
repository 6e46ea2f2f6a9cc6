import { Worker } from "node:worker_threads";

/**
 * A replay makes short-lived objects by the gigabyte (each input's rows, books, copies): a young
 * generation of 192 MB (64 MB semi-spaces, V8's default is 16) lets most die there instead of being
 * promoted and marked again; measured 7–9 % less CPU per replay.
 */
const YOUNG_GENERATION_MB = 192;

/**
 * How long a replay worker is kept once its simulation is done (a server sets it from
 * POINTBOOK_SIMULATION_WORKERS_KEPT_MS; 0 stops workers as soon as they are done). A merchant
 * trying candidates one after the other runs simulations a minute or so apart; a worker kept
 * between them has the replay's code compiled already, where a new one compiles its hot functions
 * again (over a year of 200 000 orders: 20.2–21.6 s instead of 22.2–24.3 s). Kept, a worker holds
 * the heap of its last part until it is stopped.
 */
let keptMs = 60_000;

export function keepReplayWorkersFor(ms: number): void {
  keptMs = ms;
}

interface Kept {
  worker: Worker;
  script: string;
  timer: ReturnType<typeof setTimeout>;
  /** Drops it if it fails while kept (an error event with no listener would end the process). */
  onError: () => void;
}

const kept: Kept[] = [];
let started = 0;

/** Replay workers this process has started, kept ones reused not counted again (tests). */
export function replayWorkersStarted(): number {
  return started;
}

/**
 * A worker running `script`: one kept from an earlier simulation when there is one (`warm`: it
 * has said it is ready long ago), or a new one, which says `ready` once it has loaded its code.
 */
export function takeReplayWorker(script: URL): { worker: Worker; warm: boolean } {
  for (let i = kept.length - 1; i >= 0; i--) {
    const k = kept[i]!;
    if (k.script !== script.href) continue;
    kept.splice(i, 1);
    clearTimeout(k.timer);
    k.worker.off("error", k.onError);
    // A kept worker that stopped since (threadId -1) is dropped; the next one or a new one serves.
    if (k.worker.threadId === -1) continue;
    k.worker.ref();
    return { worker: k.worker, warm: true };
  }
  started++;
  // Plain JavaScript (replay-worker-script.ts): the worker needs none of this process's loaders.
  const worker = new Worker(script, { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  return { worker, warm: false };
}

/**
 * Gives back a worker whose simulation went well, with no listener of that simulation left on it:
 * kept for a while (keepReplayWorkersFor; at most `limit` at once), without holding the process open.
 */
export function keepReplayWorker(worker: Worker, script: URL, limit: number): void {
  if (keptMs === 0 || kept.length >= limit || worker.threadId === -1) {
    void worker.terminate();
    return;
  }
  worker.unref();
  const drop = () => {
    const at = kept.indexOf(entry);
    if (at >= 0) kept.splice(at, 1);
    clearTimeout(entry.timer);
    worker.off("error", drop);
    void worker.terminate();
  };
  const entry: Kept = { worker, script: script.href, timer: setTimeout(drop, keptMs), onError: drop };
  entry.timer.unref();
  worker.on("error", drop);
  kept.push(entry);
}

/** Stops every kept worker now (tests; a process that exits ends its kept workers with it). */
export async function stopKeptReplayWorkers(): Promise<void> {
  const all = kept.splice(0);
  for (const k of all) {
    clearTimeout(k.timer);
    k.worker.off("error", k.onError);
  }
  await Promise.all(all.map((k) => k.worker.terminate()));
}
