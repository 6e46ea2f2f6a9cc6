/** One kind of outgoing work: hand events on, or send what is due. */
export interface OutgoingWork {
  name: string;
  run(): Promise<unknown>;
}

export interface OutgoingLoop {
  /** Lets the current pass finish, then stops. */
  stop(): Promise<void>;
}

/**
 * Runs outgoing work (dispatching events, then sending webhook deliveries and member messages)
 * every `intervalMs`, passes never overlapping, outside any request and any ledger transaction. A
 * work that fails is logged and tried again at the next pass; the others still run.
 */
export function startOutgoingLoop(intervalMs: number, works: readonly OutgoingWork[], log: { error: (o: object, m: string) => void }): OutgoingLoop {
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = async () => {
    for (const work of works) {
      if (stopped) return;
      try {
        await work.run();
      } catch (err) {
        log.error({ err, work: work.name }, "outgoing work failed; will retry");
      }
    }
  };
  const tick = () => {
    if (running || stopped) return;
    running = pass().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
