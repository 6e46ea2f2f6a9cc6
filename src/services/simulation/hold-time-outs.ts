import type { Repositories } from "../../core/ports/repositories.ts";

/**
 * The holds a replay placed that may still time out, and when. A hold that times out ends its
 * redemption (saveBooks marks it released), and a checkout by another member on the same order
 * judges that redemption by its status (order-cashback.ts), not by a ledger it settles. So a replay
 * that lets due lots settle in passing still runs due work at the first day boundary after such a
 * time-out, as it did at every boundary (replay.ts).
 */
export class HoldTimeOuts {
  /** Replayed redemption id → when its hold times out (epoch ms). */
  private readonly due = new Map<string, number>();

  /** Watches the hold a redemption just placed, read back from the scratch ledger (none for a reward without one). */
  async placed(repos: Repositories, storeId: string, redemptionId: string | undefined): Promise<void> {
    if (redemptionId === undefined) return;
    const redemption = await repos.redemptions.getRedemption(storeId, redemptionId, false);
    if (!redemption || redemption.status !== "held" || redemption.holdId === null) return;
    const [hold] = await repos.ledger.holdsByIds(storeId, [redemption.holdId]);
    if (hold?.status === "held") this.due.set(redemptionId, hold.expiresAt.getTime());
  }

  /** Captured or released on purpose: it no longer times out. */
  finished(redemptionId: string): void {
    this.due.delete(redemptionId);
  }

  /** Whether a watched hold times out at or before `at` (epoch ms). */
  dueBy(at: number): boolean {
    for (const timesOut of this.due.values()) if (timesOut <= at) return true;
    return false;
  }

  /** Due work ran at `at`: every hold timing out by then was settled (released, or finished before). */
  settledBy(at: number): void {
    for (const [id, timesOut] of this.due) if (timesOut <= at) this.due.delete(id);
  }
}
