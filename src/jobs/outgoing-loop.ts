/** One kind of outgoing work: hand events on, or send what is due. */
export interface OutgoingWork {
  name: string;
  run(): Promise<unknown>;
}

export interface OutgoingLoop {
  /** Lets the passes running now finish, then stops. */
  stop(): Promise<void>;
}

/**
 * Runs outgoing work (dispatching events, sending webhook deliveries, sending member messages)
 * every `intervalMs`, outside any request and any ledger transaction. Each work has its own passes,
 * never two of one work at once, so a slow webhook endpoint never holds up dispatch or member
 * messages. A pass that fails is logged and tried again at the next interval.
 */
export function startOutgoingLoop(intervalMs: number, works: readonly OutgoingWork[], log: { error: (o: object, m: string) => void }): OutgoingLoop {
  const running = new Map<OutgoingWork, Promise<void>>();
  let stopped = false;
  const tick = () => {
    for (const work of works) {
      if (stopped || running.has(work)) continue;
      const pass = work.run().then(
        () => undefined,
        (err: unknown) => log.error({ err, work: work.name }, "outgoing work failed; will retry"),
      ).finally(() => running.delete(work));
      running.set(work, pass);
    }
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
