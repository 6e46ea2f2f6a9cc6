import type { Services } from "../services/context.ts";
import type { LoadedHistory } from "../services/simulation/load.ts";
import type { ReplayRunner } from "../services/simulation/report.ts";
import { runSimulations } from "../services/simulation/simulations.ts";
import { replayInWorker } from "./simulation-replay.ts";

/** Runs recorded simulations in this process, one launch at a time (each uses a worker per core while it runs, simulation-replay.ts). */
export interface SimulationJobs {
  launch(storeId: string, id: string): void;
  /**
   * Runs several recorded simulations of one store together (the assistant's proposals), over a
   * history already read when given; resolves once all are finished (recorded done or failed).
   */
  launchAll(storeId: string, ids: readonly string[], loaded?: LoadedHistory): Promise<void>;
  /** Resolves once the simulations launched so far have finished (tests, shutdown). */
  idle(): Promise<void>;
}

export function simulationJobs(services: Services, replay: ReplayRunner = replayInWorker, log: (message: string) => void = () => undefined): SimulationJobs {
  let queue: Promise<void> = Promise.resolve();
  const launched = new Set<string>();
  const launchAll = (storeId: string, ids: readonly string[], loaded?: LoadedHistory): Promise<void> => {
    if (ids.length === 0) return Promise.resolve();
    const fresh = ids.filter((id) => !launched.has(id));
    // Already launched: they finish with the queue as it is.
    if (fresh.length === 0) return queue;
    for (const id of fresh) launched.add(id);
    queue = queue.then(() => runSimulations(services, storeId, fresh, replay, loaded))
      .catch((error: unknown) => log(`simulations ${fresh.join(", ")} could not be recorded: ${String(error)}`))
      .finally(() => fresh.forEach((id) => launched.delete(id)));
    return queue;
  };
  return {
    launch: (storeId, id) => void launchAll(storeId, [id]),
    launchAll,
    idle: () => queue,
  };
}
