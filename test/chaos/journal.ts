/**
 * What the clients were told. Only answered requests are recorded here: a write the server
 * acknowledged (2xx) must be in the ledger exactly once, and a write it refused (a deliberate 4xx
 * such as insufficient_points) must have left no trace.
 */

export interface EventWrite {
  id: string;
  memberId: string;
  units: number;
  /** The awards the 201 (or its 200 replay) announced. */
  awards: Array<{ ruleId: string; points: number }>;
  points: number;
}

export type Refusal = { applied: false; code: string };

export interface AdjustmentWrite {
  key: string;
  memberId: string;
  points: number;
  reason: string;
  outcome: { applied: true; entryId: string } | Refusal;
}

export interface OrderPoints {
  earned: number;
  pending: number;
  reversed: number;
  redeemed: number;
}

export interface OrderWrite {
  id: string;
  memberId: string;
  /** Each PUT the server answered, in the order they were sent: what changed and the points it answered. */
  steps: Array<{ change: string; points: OrderPoints }>;
}

export interface FinishWrite {
  key: string;
  action: "capture" | "release";
  /** The status the redemption was left in, or the refusal (a second finish must be refused). */
  outcome: { applied: true; status: "completed" | "released" } | Refusal;
}

export interface HoldWrite {
  key: string;
  memberId: string;
  orderId: string;
  points: number;
  outcome: { applied: true; redemptionId: string } | Refusal;
  finishes: FinishWrite[];
}

export class Journal {
  events: EventWrite[] = [];
  adjustments: AdjustmentWrite[] = [];
  orders: OrderWrite[] = [];
  holds: HoldWrite[] = [];
  /** Retries answered with the stored outcome of an earlier attempt (the replay path was exercised). */
  replays = 0;
  /** Writes whose first answer the client threw away and then asked again (see RetryingClient.unreliable). */
  lostAnswers = 0;
  /** Of those, the ones whose retry said something else than the answer thrown away. */
  lostAnswerMismatches: string[] = [];
  /** Requests still unanswered when their client gave up. */
  unanswered: string[] = [];
  /** Answers outside what the request may get (e.g. a 409 for a first capture, a 422 for an event). */
  unexpected: string[] = [];

  /** Every answered write request, refusals included. */
  get answeredWrites(): number {
    return this.events.length + this.adjustments.length + this.orders.reduce((n, o) => n + o.steps.length, 0)
      + this.holds.reduce((n, h) => n + 1 + h.finishes.length, 0);
  }

  /** The final status of a held redemption: the last finish that applied, else still held. */
  static finalStatus(hold: HoldWrite): "held" | "completed" | "released" {
    let status: "held" | "completed" | "released" = "held";
    for (const f of hold.finishes) if (f.outcome.applied) status = f.outcome.status;
    return status;
  }
}
