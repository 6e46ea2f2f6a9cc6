import { computeExpiresAt, type Validity } from "../core/expiry/validity.ts";
import type { Entry, Lot, Source } from "../core/ledger/types.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { withMemberBook } from "./member-book.ts";

export interface AwardInput {
  memberId: string;
  points: number;
  /** When the points were earned (an event's occurredAt, an order's award timestamp). */
  earnedAt: Date;
  /** When they become spendable; pending until then. Defaults to `earnedAt`. */
  availableAt?: Date;
  /** Overrides the program's validity (a rule's own validity). */
  validity?: Validity;
  source: Source;
  reason?: string | null;
  explanation?: Record<string, unknown> | null;
}

/** Credits earned points: the entry point the rule engine and order reconciliation write through. */
export async function awardPoints(
  repos: Repositories,
  services: Services,
  storeId: string,
  input: AwardInput,
  actor: Actor,
): Promise<{ lot: Lot; entry: Entry }> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  const availableAt = input.availableAt ?? input.earnedAt;
  const expiresAt = computeExpiresAt(input.validity ?? store.program.validity, { earnedAt: input.earnedAt, availableAt }, store.timezone);
  return withMemberBook(repos, store, input.memberId, now, (book) => {
    const result = book.credit({
      type: "earn", points: input.points, earnedAt: input.earnedAt, availableAt, expiresAt,
      at: now, actor: actor.id, source: input.source, reason: input.reason ?? null, explanation: input.explanation ?? null,
    });
    // Pending points mature by the scheduler or the test clock; a past availableAt matures now.
    book.settleDue(now);
    return result;
  });
}

/** Takes back (part of) an award, first from its own lot; a shortfall follows the clawback policy. */
export async function reversePoints(
  repos: Repositories,
  services: Services,
  storeId: string,
  input: { memberId: string; points: number; lotId?: string; source: Source; reason: string; explanation?: Record<string, unknown> },
  actor: Actor,
): Promise<{ entry: Entry; writtenOff: number }> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  return withMemberBook(
    repos, store, input.memberId, now,
    (book) => book.reverse({ points: input.points, lotId: input.lotId, at: now, actor: actor.id, source: input.source, reason: input.reason, explanation: input.explanation ?? null }),
    { create: false, extraLotIds: input.lotId ? [input.lotId] : [] },
  );
}
