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
 * Runs outgoing work every `intervalMs`, outside any request and any ledger transaction: first
 * `handOn` (dispatching new events), then, as soon as it is done, each of `senders` (webhook
 * deliveries, member messages), so an event goes out in the same interval it was handed on.
 * Each work has its own passes, never two of one work at once, and the senders are not waited
 * for: a slow webhook endpoint never holds up dispatch or member messages. A pass that fails is
 * logged and tried again at the next interval.
 */
export function startOutgoingLoop(
  intervalMs: number,
  work: { handOn: OutgoingWork; senders: readonly OutgoingWork[] },
  log: { error: (o: object, m: string) => void },
): OutgoingLoop {
  const running = new Map<OutgoingWork, Promise<void>>();
  let stopped = false;
  const start = (w: OutgoingWork): Promise<void> => {
    const current = running.get(w);
    if (current) return current;
    const pass = w.run().then(
      () => undefined,
      (err: unknown) => log.error({ err, work: w.name }, "outgoing work failed; will retry"),
    ).finally(() => running.delete(w));
    running.set(w, pass);
    return pass;
  };
  const tick = () => {
    if (stopped || running.has(work.handOn)) return;
    void start(work.handOn).then(() => {
      for (const sender of work.senders) if (!stopped) void start(sender);
    });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
