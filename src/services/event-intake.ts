import type { Services, Actor } from "./context.ts";
import { runCommand } from "./command.ts";
import { groupCommit } from "./group-commit.ts";
import { eventFingerprint, recordEvents, type EventInput, type EventOutcome } from "./record-events.ts";

/** Single events, as `POST /v1/events` receives them: recorded with group commit. */
export interface EventIntake {
  record(storeId: string, actor: Actor, event: EventInput): Promise<EventOutcome>;
  /** Waits for every event received so far to be recorded (shutdown). */
  drain(): Promise<void>;
}

interface Submitted {
  storeId: string;
  actor: Actor;
  event: EventInput;
  fingerprint: string;
}

/**
 * Concurrent events of one store and caller share a transaction (`recordEvents` already takes a
 * batch and answers each event on its own), with the same result each would get alone: members
 * are locked in sorted order, and an id sent twice is answered as a replay of its first sending.
 * One transaction in flight per store and key measured best: concurrent batches of one store mostly
 * wait for each other's member locks.
 */
export function eventIntake(services: Services, options: { maxBatch?: number; maxInFlight?: number } = {}): EventIntake {
  const batches = groupCommit<Submitted, EventOutcome>({
    maxBatch: options.maxBatch ?? 200,
    maxInFlight: options.maxInFlight ?? 1,
    runBatch: async (_key, items) => {
      const { outcome } = await runCommand(services, {
        storeId: items[0]!.storeId,
        run: (repos) => recordEvents(repos, services, items[0]!.storeId, items.map((i) => ({ event: i.event, fingerprint: i.fingerprint })), items[0]!.actor),
      });
      // A refusal of the whole batch (an unknown store) is every event's.
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
  });
  return {
    record: (storeId, actor, event) => batches.submit(`${storeId}\n${actor.id}`, { storeId, actor, event, fingerprint: eventFingerprint(event) }),
    drain: () => batches.drain(),
  };
}
