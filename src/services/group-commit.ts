/**
 * Group commit: commands submitted at the same time under one key (one store and caller) are
 * applied together, in one transaction, each with its own result. At low load a command runs at
 * once, alone; under load, commands that arrive while earlier transactions are in flight wait for
 * the next one, so the number of transactions grows far slower than the number of commands.
 *
 * A batch whose transaction fails as a whole (an unexpected error, not a command's refusal, which
 * is a result) is run again one command at a time, so one bad command never fails the others.
 */
export interface GroupCommitOptions<I, O> {
  /** Most commands in one transaction. */
  maxBatch: number;
  /** Transactions in flight per key at once; more commands wait and join the next batch. */
  maxInFlight: number;
  runBatch(key: string, items: I[]): Promise<O[]>;
}

export interface GroupCommit<I, O> {
  submit(key: string, item: I): Promise<O>;
  /** Commands waiting or in flight (for tests and metrics). */
  pending(): number;
  /** Resolves once every command submitted so far has its result (before a shutdown closes the database). */
  drain(): Promise<void>;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export function groupCommit<I, O>(options: GroupCommitOptions<I, O>): GroupCommit<I, O> {
  const queues = new Map<string, { waiting: Array<Waiting<I, O>>; inFlight: number }>();
  let pendingCount = 0;
  const drained: Array<() => void> = [];

  const settle = async (key: string, batch: Array<Waiting<I, O>>) => {
    try {
      const results = await options.runBatch(key, batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else {
        for (const w of batch) {
          await options.runBatch(key, [w.item]).then(([result]) => w.resolve(result!), (e: unknown) => w.reject(e));
        }
      }
    }
  };

  const pump = (key: string) => {
    const queue = queues.get(key);
    if (!queue) return;
    while (queue.inFlight < options.maxInFlight && queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, options.maxBatch);
      queue.inFlight++;
      void settle(key, batch).finally(() => {
        queue.inFlight--;
        pendingCount -= batch.length;
        if (pendingCount === 0) for (const done of drained.splice(0)) done();
        if (queue.inFlight === 0 && queue.waiting.length === 0) queues.delete(key);
        else pump(key);
      });
    }
  };

  return {
    submit(key, item) {
      return new Promise<O>((resolve, reject) => {
        let queue = queues.get(key);
        if (!queue) queues.set(key, (queue = { waiting: [], inFlight: 0 }));
        queue.waiting.push({ item, resolve, reject });
        pendingCount++;
        pump(key);
      });
    },
    pending: () => pendingCount,
    drain: () => (pendingCount === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve))),
  };
}
