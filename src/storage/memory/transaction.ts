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
  extend<V>(array: V[], values: readonly V[]): void;
}

/**
 * One transaction (or, for reads outside one, one statement at a time) on the in-memory state.
 * Writes change the state in place and leave an undo step each, so rolling back a transaction, a
 * savepoint or a failed statement costs what it wrote, not the size of the state. Stored rows are
 * frozen: a row changes only by being replaced through `put`, which is what makes the undo complete.
 */
export class MemoryTransaction implements MemoryTx {
  /**
   * The undo log, four slots a step: what to do, the map or set, the key or value, the value
   * before. Flat rather than a closure a step: a replay writes millions of them, and closures were
   * garbage the collector had to find.
   */
  private readonly undo: unknown[] = [];
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
    const before = map.get(key);
    if (before !== undefined || map.has(key)) this.undo.push(UNDO_SET, map, key, before);
    else this.undo.push(UNDO_DELETE, map, key, undefined);
    map.set(key, freezeRow(value));
  }

  delete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    this.undo.push(UNDO_SET, map, key, map.get(key));
    map.delete(key);
  }

  add<V>(set: Set<V>, value: V): void {
    if (set.has(value)) return;
    this.undo.push(UNDO_UNADD, set, value, undefined);
    set.add(value);
  }

  remove<V>(set: Set<V>, value: V): void {
    if (!set.has(value)) return;
    this.undo.push(UNDO_READD, set, value, undefined);
    set.delete(value);
  }

  /** Appends to an array that only grows (a tally): undone by cutting it back. */
  extend<V>(array: V[], values: readonly V[]): void {
    if (values.length === 0) return;
    this.undo.push(UNDO_TRUNCATE, array, array.length, undefined);
    for (const value of values) array.push(value);
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
  statement<T>(fn: () => Promise<T>): Promise<T> {
    if (this.ended) return Promise.reject(endedTransaction());
    if (this.aborted) return Promise.reject(abortedTransaction());
    const mark = this.undo.length;
    let running: Promise<T>;
    try {
      // A method that is not async still gives a promise (Promise.resolve hands a promise back as it is).
      running = Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(this.failed(mark, error));
    }
    // A `then` on the call's own promise, not an async function awaiting it: a replay makes
    // millions of statements, and an async frame each was some 3 % of all it allocated.
    return running.then(
      (result) => {
        if (this.autocommit) this.undo.length = 0;
        return result;
      },
      (error: unknown) => {
        throw this.failed(mark, error);
      },
    );
  }

  /** A statement failed: its writes are undone, and inside a transaction everything after is refused. */
  private failed(mark: number, error: unknown): unknown {
    this.rollbackTo(mark);
    if (!this.autocommit) this.aborted = true;
    return error;
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
    const undo = this.undo;
    for (let i = undo.length - 4; i >= mark; i -= 4) {
      const container = undo[i + 1];
      switch (undo[i]) {
        case UNDO_SET:
          (container as Map<unknown, unknown>).set(undo[i + 2], undo[i + 3]);
          break;
        case UNDO_DELETE:
          (container as Map<unknown, unknown>).delete(undo[i + 2]);
          break;
        case UNDO_UNADD:
          (container as Set<unknown>).delete(undo[i + 2]);
          break;
        case UNDO_READD:
          (container as Set<unknown>).add(undo[i + 2]);
          break;
        case UNDO_TRUNCATE:
          (container as unknown[]).length = undo[i + 2] as number;
          break;
      }
    }
    undo.length = mark;
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

  extend<V>(array: V[], values: readonly V[]): void {
    this.current.extend(array, values);
  }
}

/** Steps of the undo log: put the value back, take the key out, take the value out of the set, put it back in, cut an array back. */
const UNDO_SET = 0;
const UNDO_DELETE = 1;
const UNDO_UNADD = 2;
const UNDO_READD = 3;
const UNDO_TRUNCATE = 4;

/** Rows are frozen when stored; maps and sets (a table's indexes) stay open to `put`. */
function freezeRow<V>(value: V): V {
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) Object.freeze(value);
  return value;
}
