import type { Repositories, Transactor } from "../../core/ports/repositories.ts";

export interface BatchedTransactor extends Transactor {
  /** Commits the batch open now, if any; every `run` before it is then committed. */
  flush(): Promise<void>;
  /** Rolls the open batch back (after a failure the replay does not go on from). */
  abandon(): Promise<void>;
}

/**
 * A replay's transactions, many to one real transaction: each `run` is a savepoint of a batch
 * that is committed every `size` runs. A run that throws is rolled back to its savepoint and
 * leaves nothing, as its own transaction would; one that returns stays. A replay is the only user
 * of its scratch database and sends its inputs one after the other, so no one sees a batch half
 * done. What the batching saves is the transaction's own cost, paid once per batch: on the
 * in-memory adapter, building the repositories of a transaction took more than many inputs' work.
 *
 * `wrap` decorates the batch's repositories once (quiet.ts), instead of once per input.
 */
export function batchedTransactor(tx: Transactor, size: number, wrap: (repos: Repositories) => Repositories = (r) => r): BatchedTransactor {
  let open: { repos: Repositories; runs: number; close: (commit: boolean) => void; done: Promise<unknown> } | null = null;

  const begin = async () => {
    let close!: (commit: boolean) => void;
    const closed = new Promise<boolean>((resolve) => (close = resolve));
    let ready!: (repos: Repositories) => void;
    const started = new Promise<Repositories>((resolve) => (ready = resolve));
    const done = tx.run(async (repos) => {
      ready(wrap(repos));
      if (!(await closed)) throw ABANDONED;
    }).catch((error: unknown) => {
      if (error !== ABANDONED) throw error;
    });
    // A transaction that could not start (its database closed) fails here, not later.
    const repos = await Promise.race([started, done.then(() => null)]);
    if (repos === null) throw new Error("the batch's transaction ended before it began");
    return { repos, runs: 0, close, done };
  };

  const end = async (commit: boolean) => {
    if (!open) return;
    const { close, done } = open;
    open = null;
    close(commit);
    await done;
  };

  return {
    async run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
      if (open && open.runs >= size) await end(true);
      open ??= await begin();
      open.runs++;
      const { repos } = open;
      return repos.savepoint(() => fn(repos));
    },
    flush: () => end(true),
    abandon: () => end(false),
  };
}

const ABANDONED = Symbol("batch abandoned");
