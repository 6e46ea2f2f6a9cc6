/**
 * What the engine remembers between events, per member and rule: points awarded, times fired and
 * units seen per period, and the `once` keys already rewarded. Loaded before evaluation and
 * changed in memory; the storage adapter writes `changes()` back in the same transaction.
 */
export interface CounterValue {
  points: number;
  times: number;
  units: number;
}

export interface CounterRow extends CounterValue {
  memberId: string;
  ruleId: string;
  period: string;
}

export interface OnceClaim {
  ruleId: string;
  /** The member id for member-scoped keys, "" for store-scoped ones. */
  owner: string;
  key: string;
  memberId: string;
}

const counterId = (memberId: string, ruleId: string, period: string) => `${memberId}\u0000${ruleId}\u0000${period}`;
const claimId = (ruleId: string, owner: string, key: string) => `${ruleId}\u0000${owner}\u0000${key}`;

export class RuleState {
  private readonly counters = new Map<string, CounterValue>();
  private readonly deltas = new Map<string, CounterRow>();
  private readonly claims = new Set<string>();
  private readonly newClaims: OnceClaim[] = [];

  constructor(counters: Iterable<CounterRow> = [], claims: Iterable<Omit<OnceClaim, "memberId">> = []) {
    for (const c of counters) this.counters.set(counterId(c.memberId, c.ruleId, c.period), { points: c.points, times: c.times, units: c.units });
    for (const c of claims) this.claims.add(claimId(c.ruleId, c.owner, c.key));
  }

  counter(memberId: string, ruleId: string, period: string): CounterValue {
    return this.counters.get(counterId(memberId, ruleId, period)) ?? { points: 0, times: 0, units: 0 };
  }

  add(memberId: string, ruleId: string, period: string, delta: CounterValue): void {
    const id = counterId(memberId, ruleId, period);
    const current = this.counter(memberId, ruleId, period);
    this.counters.set(id, { points: current.points + delta.points, times: current.times + delta.times, units: current.units + delta.units });
    const pending = this.deltas.get(id) ?? { memberId, ruleId, period, points: 0, times: 0, units: 0 };
    this.deltas.set(id, { ...pending, points: pending.points + delta.points, times: pending.times + delta.times, units: pending.units + delta.units });
  }

  isClaimed(ruleId: string, owner: string, key: string): boolean {
    return this.claims.has(claimId(ruleId, owner, key));
  }

  claim(claim: OnceClaim): void {
    this.claims.add(claimId(claim.ruleId, claim.owner, claim.key));
    this.newClaims.push(claim);
  }

  changes(): { counters: CounterRow[]; claims: OnceClaim[] } {
    return { counters: [...this.deltas.values()], claims: [...this.newClaims] };
  }
}
