import type { Services } from "../services/context.ts";
import type { ReplayRunner } from "../services/simulation/report.ts";
import { runSimulation } from "../services/simulation/simulations.ts";
import { replayInWorker } from "./simulation-replay.ts";

/** Runs recorded simulations in this process, one at a time (each uses a worker per core while it runs, simulation-replay.ts). */
export interface SimulationJobs {
  launch(storeId: string, id: string): void;
  /** The replay the assistant's proposals use too. */
  replay: ReplayRunner;
  /** Resolves once the simulations launched so far have finished (tests, shutdown). */
  idle(): Promise<void>;
}

export function simulationJobs(services: Services, replay: ReplayRunner = replayInWorker, log: (message: string) => void = () => undefined): SimulationJobs {
  let queue: Promise<void> = Promise.resolve();
  const launched = new Set<string>();
  return {
    replay,
    launch(storeId, id) {
      if (launched.has(id)) return;
      launched.add(id);
      queue = queue.then(() => runSimulation(services, storeId, id, replay)).catch((error: unknown) => log(`simulation ${id} could not be recorded: ${String(error)}`))
        .finally(() => launched.delete(id));
    },
    idle: () => queue,
  };
}
