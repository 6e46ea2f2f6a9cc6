import { abortedTransaction, endedTransaction } from "./errors.ts";
import type { MemoryState } from "./state.ts";

/** What repositories use of a transaction: the state, `now()`, and writes that leave an undo step. */
export interface MemoryTx {
  readonly state: MemoryState;
  readonly startedAt: Date;
  put<K, V>(map: Map<K, V>, key: K, value: V): void;
  delete<K, V>(map: Map<K, V>, key: K): void;
  add<V>(set: Set<V>, value: V): void;
  remove<V>(set: Set<V>, value: V): void;
  inner<K, V>(outer: Map<K, V>, key: K, create: () => V): V;
}

/**
 * One transaction (or, for reads outside one, one statement at a time) on the in-memory state.
 * Writes change the state in place and leave an undo step each, so rolling back a transaction, a
 * savepoint or a failed statement costs what it wrote, not the size of the state. Stored rows are
 * frozen: a row changes only by being replaced through `put`, which is what makes the undo complete.
 */
export class MemoryTransaction implements MemoryTx {
  private readonly undo: Array<() => void> = [];
  /** A statement failed: like PostgreSQL, refuse everything until a savepoint rollback or the end. */
  private aborted = false;
  /** Committed or rolled back: repositories kept past their transaction must not write unrecorded. */
  private ended = false;
  /** `now()` in SQL: the transaction's start on the wall clock (column defaults). */
  readonly startedAt = new Date();

  constructor(
    readonly state: MemoryState,
    /** Outside a transaction every statement commits on its own. */
    private readonly autocommit = false,
  ) {}

  put<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const before = map.get(key);
    this.undo.push(had ? () => void map.set(key, before as V) : () => void map.delete(key));
    map.set(key, freezeRow(value));
  }

  delete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const before = map.get(key) as V;
    this.undo.push(() => void map.set(key, before));
    map.delete(key);
  }

  add<V>(set: Set<V>, value: V): void {
    if (set.has(value)) return;
    this.undo.push(() => void set.delete(value));
    set.add(value);
  }

  remove<V>(set: Set<V>, value: V): void {
    if (!set.has(value)) return;
    this.undo.push(() => void set.add(value));
    set.delete(value);
  }

  /** The map under `key` in `outer`, created (and undone with the rest) when missing. */
  inner<K, V>(outer: Map<K, V>, key: K, create: () => V): V {
    const found = outer.get(key);
    if (found !== undefined) return found;
    const made = create();
    this.put(outer, key, made);
    return made;
  }

  /**
   * Runs one repository call as one statement: all of it or none of it. A failure inside a
   * transaction aborts the transaction, as in PostgreSQL, until a savepoint is rolled back.
   */
  async statement<T>(fn: () => Promise<T>): Promise<T> {
    if (this.ended) throw endedTransaction();
    if (this.aborted) throw abortedTransaction();
    const mark = this.undo.length;
    try {
      const result = await fn();
      if (this.autocommit) this.undo.length = 0;
      return result;
    } catch (error) {
      this.rollbackTo(mark);
      if (!this.autocommit) this.aborted = true;
      throw error;
    }
  }

  /** `SAVEPOINT` … `RELEASE` or `ROLLBACK TO`: a throw undoes only what `fn` wrote. */
  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    if (this.ended) throw endedTransaction();
    if (this.aborted) throw abortedTransaction();
    const mark = this.undo.length;
    try {
      return await fn();
    } catch (error) {
      this.rollbackTo(mark);
      this.aborted = false;
      throw error;
    }
  }

  /** Ends the transaction: its writes stay (commit), or are undone when it failed or `rollback` is set. */
  end(rollback: boolean): void {
    if (rollback || this.aborted) this.rollbackTo(0);
    this.undo.length = 0;
    this.ended = true;
  }

  private rollbackTo(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()!();
  }
}

/**
 * The transaction running now, for repositories built once per transactor rather than once per
 * transaction: transactions run one at a time, and every repository call makes its own
 * transaction current before it runs (a call through an ended transaction's repositories is
 * refused before it gets here), so writes always land in the caller's undo log.
 */
export class CurrentTx implements MemoryTx {
  current: MemoryTransaction;

  constructor(readonly state: MemoryState) {
    this.current = new MemoryTransaction(state, true);
  }

  get startedAt(): Date {
    return this.current.startedAt;
  }

  put<K, V>(map: Map<K, V>, key: K, value: V): void {
    this.current.put(map, key, value);
  }

  delete<K, V>(map: Map<K, V>, key: K): void {
    this.current.delete(map, key);
  }

  add<V>(set: Set<V>, value: V): void {
    this.current.add(set, value);
  }

  remove<V>(set: Set<V>, value: V): void {
    this.current.remove(set, value);
  }

  inner<K, V>(outer: Map<K, V>, key: K, create: () => V): V {
    return this.current.inner(outer, key, create);
  }
}

/** Rows are frozen when stored; maps and sets (a table's indexes) stay open to `put`. */
function freezeRow<V>(value: V): V {
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) Object.freeze(value);
  return value;
}
