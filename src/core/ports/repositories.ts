import type { Entry, Hold, Lot, MemberBalance } from "../ledger/types.ts";
import type { MemberBook } from "../ledger/book.ts";
import type { EarnRule } from "../rules/schema.ts";
import type { RuleState } from "../rules/state.ts";
import type { Tier } from "../tiers/schema.ts";
import type { Order } from "../orders/order.ts";
import type { OrderEligibility } from "../orders/eligibility.ts";
import type { OrderOrigin } from "../orders/origin.ts";
import type { AcceptedEvent, EventMemberFacts } from "../rules/event.ts";
import type { ErrorCode } from "../errors.ts";
import type { OutgoingEvent, OutgoingMessage } from "../outgoing/events.ts";
import type { WebhookRepository } from "./webhooks.ts";
import type { NotificationRepository } from "./notifications.ts";
import type { IntegrationRepository } from "./integrations.ts";
import type { ReportRepository } from "./reports.ts";
import type { MemberTokenRepository } from "./member-tokens.ts";
import type { ImportRepository } from "./imports.ts";
import type { HistoryRepository } from "./history.ts";
import type { SimulationRepository } from "./simulations.ts";
import type {
  ApiKeyRecord,
  AuditRecord,
  CouponRecord,
  EntitlementRecord,
  MemberAttributes,
  MemberRecord,
  Page,
  RedeemMethodRecord,
  RedemptionRecord,
  StoreRecord,
} from "./records.ts";

/** What the services need from storage. One implementation serves PGlite and PostgreSQL. */
export interface StoreRepository {
  insert(store: StoreRecord): Promise<void>;
  get(storeId: string): Promise<StoreRecord | null>;
  /** Locks the store row (clock advance, settings changes). */
  lock(storeId: string): Promise<StoreRecord | null>;
  update(store: StoreRecord): Promise<void>;
  list(): Promise<StoreRecord[]>;
  /**
   * Takes or renews the store's due-work lease for `holder` when it is free, expired or already
   * theirs; false when another holder has it. Never waits on another holder's transaction.
   */
  claimDueWork(storeId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up at once if `holder` still has it. */
  releaseDueWork(storeId: string, holder: string): Promise<void>;
}

export interface KeyRepository {
  insert(key: ApiKeyRecord, keyHash: string): Promise<void>;
  findByHash(storeId: string, keyHash: string): Promise<ApiKeyRecord | null>;
  /** Oldest first; the cursor is the last id seen. */
  list(storeId: string, limit: number, cursor: string | null): Promise<Page<ApiKeyRecord>>;
  /** Marks a live key revoked; null when there is no such key or it was already revoked. */
  revoke(storeId: string, id: string, at: Date): Promise<ApiKeyRecord | null>;
}

/** A member's book as loaded: made for each call, so the caller's to change (MemberBook.adopting takes its lots as they are). */
export interface LoadedBook {
  member: MemberRecord;
  balance: MemberBalance;
  lots: Lot[];
  holds: Hold[];
}

export interface MemberRepository {
  /** The store and one member's book, in one statement (a consistent snapshot without a transaction). */
  readStoreAndBook(storeId: string, memberId: string): Promise<{ store: StoreRecord | null; book: LoadedBook | null }>;
  /** Creates the member on first sight; returns whether it was new. */
  ensure(storeId: string, memberId: string, now: Date): Promise<boolean>;
  ensureMany(storeId: string, memberIds: readonly string[], now: Date): Promise<void>;
  upsert(storeId: string, memberId: string, attrs: MemberAttributes, now: Date): Promise<MemberRecord>;
  get(storeId: string, memberId: string): Promise<MemberRecord | null>;
  /** Locks members' rows in sorted order (so two writers never deadlock) and loads their open ledgers. */
  lockBooks(storeId: string, memberIds: readonly string[], extraLotIds?: readonly string[]): Promise<Map<string, LoadedBook>>;
  /**
   * `lockBooks` for members who may be new: creates the missing ones and locks them all in sorted
   * order, in one statement, then loads their open ledgers.
   */
  createAndLockBooks(storeId: string, memberIds: readonly string[], now: Date, extraLotIds?: readonly string[]): Promise<Map<string, LoadedBook>>;
  /** Reads a ledger without locking (for views). */
  readBook(storeId: string, memberId: string): Promise<LoadedBook | null>;
}

export interface LedgerRepository {
  /** Persists the changes of one or many books in a few statements (the batched write path). */
  save(storeId: string, books: readonly MemberBook[]): Promise<void>;
  activity(storeId: string, memberId: string, limit: number, cursor: number | null): Promise<Page<Entry>>;
  /** Up to `limit` members with work due by `until`, in id order (the soonest due are the ones picked). */
  dueMembers(storeId: string, until: Date, limit: number): Promise<string[]>;
  nextDueAt(storeId: string, until: Date): Promise<Date | null>;
  /** Holds by id, whatever their status (a captured hold says which lots to return points to). */
  holdsByIds(storeId: string, holdIds: readonly string[]): Promise<Hold[]>;
  lotsToRemind(storeId: string, reminderDays: number, now: Date, limit: number): Promise<Lot[]>;
  markReminded(storeId: string, lotIds: readonly string[], at: Date): Promise<void>;
  /**
   * Marks up to `limit` lots due a reminder as reminded at `now` and returns them. A lot is claimed
   * by one transaction only, however many run at once, so each reminder is written once.
   */
  claimReminders(storeId: string, reminderDays: number, now: Date, limit: number): Promise<Array<{ lot: Lot; balance: number }>>;
}

export interface RedemptionRepository {
  insertMethod(storeId: string, method: RedeemMethodRecord): Promise<void>;
  getMethod(storeId: string, id: string): Promise<RedeemMethodRecord | null>;
  listMethods(storeId: string, limit: number, cursor: string | null): Promise<Page<RedeemMethodRecord>>;
  updateMethod(storeId: string, method: RedeemMethodRecord): Promise<void>;
  deleteMethod(storeId: string, id: string, at: Date): Promise<void>;
  insertRedemption(storeId: string, redemption: RedemptionRecord): Promise<void>;
  getRedemption(storeId: string, id: string, lock: boolean): Promise<RedemptionRecord | null>;
  updateRedemption(storeId: string, redemption: RedemptionRecord): Promise<void>;
  redemptionsByHold(storeId: string, holdIds: readonly string[]): Promise<RedemptionRecord[]>;
  /** Locked for update unless `lock` is false (a read-only quote). */
  redemptionsForOrder(storeId: string, orderId: string, lock?: boolean): Promise<RedemptionRecord[]>;
  insertCoupon(storeId: string, coupon: CouponRecord): Promise<void>;
  getCoupon(storeId: string, code: string, lock: boolean): Promise<CouponRecord | null>;
  markCouponUsed(storeId: string, code: string, orderId: string, by: string, at: Date): Promise<void>;
  /** Points spent on an order: held or completed redemptions that name it. */
  pointsForOrder(storeId: string, orderId: string): Promise<number>;
  insertEntitlement(storeId: string, entitlement: EntitlementRecord): Promise<void>;
  getEntitlement(storeId: string, id: string, lock: boolean): Promise<EntitlementRecord | null>;
  /** Newest first; the cursor is the last id seen. */
  listEntitlements(storeId: string, memberId: string, limit: number, cursor: string | null): Promise<Page<EntitlementRecord>>;
  consumeEntitlement(storeId: string, id: string, units: number, actor: string, at: Date): Promise<void>;
}

export interface AuditRepository {
  insert(storeId: string, record: AuditRecord): Promise<void>;
  list(storeId: string, limit: number, cursor: string | null): Promise<Page<AuditRecord>>;
}

/**
 * What a command ended in, as kept for replays: its value (JSON), or the refusal it was answered
 * with. Never an HTTP reply: each caller (HTTP, platform receivers, CLI) answers in its own terms.
 */
export type StoredOutcome =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } };

/** A key already used: the request it was used for, and what that request ended in. */
export interface StoredCommand {
  fingerprint: string;
  /** Null while the request that claimed the key has not completed it (it is in its transaction). */
  outcome: StoredOutcome | null;
}

export interface IdempotencyRepository {
  /**
   * Claims a key for a new request, or returns what is stored under it. A key first claimed before
   * `reuseBefore` has expired and is claimed afresh (permanent scopes pass null). A concurrent
   * claimant of the same key waits for the first one's transaction.
   */
  claim(storeId: string, scope: string, key: string, fingerprint: string, now: Date, reuseBefore: Date | null): Promise<StoredCommand | "claimed">;
  /** Gives back keys claimed in this transaction for requests that were refused before any change. */
  releaseMany(storeId: string, scope: string, keys: readonly string[]): Promise<void>;
  /** Forgets expired keys of one scope, at most `limit` of them; returns how many. */
  purge(scope: string, before: Date, limit: number): Promise<number>;
  complete(storeId: string, scope: string, key: string, outcome: StoredOutcome): Promise<void>;
  /** The same for many keys at once (event batches). */
  claimMany(storeId: string, scope: string, items: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Map<string, StoredCommand | "claimed">>;
  completeMany(storeId: string, scope: string, items: ReadonlyArray<{ key: string; outcome: StoredOutcome }>): Promise<void>;
}

/** An outgoing event to store, with the instant it happened. */
export type StampedMessage = OutgoingMessage & { occurredAt: Date };

export interface FeedQuery {
  /** The cursor of the last event read (null: from the first). */
  after: string | null;
  type?: string;
  memberId?: string;
  limit: number;
}

export interface OutboxRepository {
  /** Stores outgoing events, in the order given, with the change that caused them. */
  add(storeId: string, messages: readonly StampedMessage[]): Promise<void>;
  /**
   * True when `add` keeps nothing (a replay's scratch database): a caller whose messages cost
   * real work to build (one per ledger entry) may skip building them.
   */
  readonly discards?: boolean;
  /**
   * Oldest first after the cursor. An event shows only once no transaction still running could
   * have written an earlier one, so a reader that follows the cursor never skips an event.
   */
  feed(storeId: string, query: FeedQuery): Promise<Page<OutgoingEvent>>;
  /** Stores with events not yet handed on, at most `limit` (off the request path: it spans stores). */
  storesWithUndispatched(limit: number): Promise<string[]>;
  /**
   * Up to `limit` of the store's events not yet handed on, oldest first, for this transaction only:
   * one transaction dispatches a store at a time (others get nothing and move on), so each store's
   * events are handed on in the order they happened.
   */
  claimUndispatched(storeId: string, limit: number): Promise<OutgoingEvent[]>;
  markDispatched(storeId: string, ids: readonly string[], at: Date): Promise<void>;
  /** Events of every store not yet handed on (for metrics; it spans stores). */
  pendingCount(): Promise<number>;
}

export interface EarnRuleRecord {
  id: string;
  version: number;
  rule: EarnRule;
  createdAt: Date;
  updatedAt: Date;
}

export interface RuleVersionRow {
  ruleId: string;
  version: number;
  /** null for the version that deleted the rule. */
  rule: EarnRule | null;
  effectiveFrom: Date;
}

export interface RuleRepository {
  create(storeId: string, record: EarnRuleRecord, effectiveFrom: Date, actor: string): Promise<void>;
  /** Appends a version (null = deleted) in force from `effectiveFrom`. */
  addVersion(storeId: string, ruleId: string, version: number, rule: EarnRule | null, event: string, effectiveFrom: Date, actor: string, at: Date): Promise<void>;
  get(storeId: string, ruleId: string, lock: boolean): Promise<EarnRuleRecord | null>;
  list(storeId: string, limit: number, cursor: string | null): Promise<Page<EarnRuleRecord>>;
  /** Every version of every rule that ever listened to one of these event types (all event types when left out). */
  versionsFor(storeId: string, eventTypes?: readonly string[]): Promise<RuleVersionRow[]>;
}

export interface OnceKey {
  ruleId: string;
  owner: string;
  key: string;
}

/** An event as stored: what it was, what it earned in all, and when it was recorded. */
export type RecordedEvent = Omit<AcceptedEvent, "rules"> & { points: number; recordedAt: Date; member: EventMemberFacts };

export interface RuleStateRepository {
  /** Serializes writers that may claim the same store-wide once keys (e.g. one referred customer). */
  lockKeys(storeId: string, keys: readonly string[]): Promise<void>;
  load(storeId: string, memberIds: readonly string[], ruleIds: readonly string[], periods: readonly string[], once: readonly OnceKey[]): Promise<RuleState>;
  save(storeId: string, state: RuleState, sourceRef: string | null): Promise<void>;
  recordEvents(storeId: string, events: readonly RecordedEvent[]): Promise<void>;
}

export interface TierRepository {
  list(storeId: string): Promise<Tier[]>;
  get(storeId: string, code: string): Promise<Tier | null>;
  upsert(storeId: string, tier: Tier, at: Date): Promise<void>;
  remove(storeId: string, code: string): Promise<void>;
  /** Points a member earned from events and orders with earnedAt in [from, to]. */
  pointsEarned(storeId: string, memberId: string, from: Date, to: Date): Promise<number>;
  /** Money a member spent on orders placed in [from, to]: lines less refunds, canceled orders excluded. */
  amountSpent(storeId: string, memberId: string, from: Date, to: Date): Promise<number>;
  tierState(storeId: string, memberIds: readonly string[]): Promise<Map<string, { tier: string | null; manualTier: string | null }>>;
  /** When the store's tiers were last re-checked for every member (null: never, or definitions changed). */
  lastCheck(storeId: string): Promise<Date | null>;
  setLastCheck(storeId: string, at: Date | null): Promise<void>;
  /** Members to re-check, in id order after `after`: all of them, or only those holding a tier. */
  membersToCheck(storeId: string, all: boolean, after: string | null, limit: number): Promise<string[]>;
  /** Sets the effective tier; `manualTier` undefined leaves the manual floor as it is. */
  setTier(storeId: string, memberId: string, tier: string | null, manualTier: string | null | undefined, at: Date): Promise<void>;
}

export interface OrderRecord {
  id: string;
  memberId: string | null;
  order: Order;
  /** Who the member was when the order was first recorded for them; null before it names one. */
  eligibility: OrderEligibility | null;
  /** Set when an import recorded the order (never changed after); absent or null for orders sent through the API. */
  origin?: OrderOrigin | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderAward {
  orderId: string;
  ruleId: string;
  ruleVersion: number;
  memberId: string;
  /** The lots the award was paid into: the first at the award, more when an edit raised it. */
  lotIds: string[];
  initial: number;
  awarded: number;
  reversed: number;
  capCut: number;
  factors: number[];
  earnedAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  explanation: Record<string, unknown>;
}

export interface OrderRepository {
  /** Creates the row if new and locks it, so updates of one order apply one at a time. */
  lock(storeId: string, orderId: string, placeholder: { memberId: string | null; order: Order; at: Date }): Promise<{ record: OrderRecord; created: boolean }>;
  save(storeId: string, record: OrderRecord): Promise<void>;
  get(storeId: string, orderId: string, lock?: boolean): Promise<OrderRecord | null>;
  awards(storeId: string, orderId: string): Promise<OrderAward[]>;
  /**
   * In one statement: the order's awards, its redemptions (locked, oldest first) and the holds its
   * cashback redemptions went through.
   */
  awardsAndSpends(storeId: string, orderId: string): Promise<{ awards: OrderAward[]; redemptions: RedemptionRecord[]; holds: Hold[] }>;
  saveAwards(storeId: string, awards: readonly OrderAward[], at: Date): Promise<void>;
}

/** One page of an export: rows after `after` (a keyset cursor), in a stable order. */
export interface ExportPage {
  rows: Array<Record<string, unknown>>;
  next: string | null;
}

export interface ExportRepository {
  members(storeId: string, range: { from?: Date; to?: Date }, after: string | null, limit: number): Promise<ExportPage>;
  ledger(storeId: string, range: { from?: Date; to?: Date }, after: string | null, limit: number): Promise<ExportPage>;
  orders(storeId: string, range: { from?: Date; to?: Date }, after: string | null, limit: number): Promise<ExportPage>;
}

export interface Repositories {
  stores: StoreRepository;
  keys: KeyRepository;
  members: MemberRepository;
  ledger: LedgerRepository;
  redemptions: RedemptionRepository;
  audit: AuditRepository;
  idempotency: IdempotencyRepository;
  outbox: OutboxRepository;
  rules: RuleRepository;
  ruleState: RuleStateRepository;
  tiers: TierRepository;
  orders: OrderRepository;
  exports: ExportRepository;
  webhooks: WebhookRepository;
  notifications: NotificationRepository;
  integrations: IntegrationRepository;
  reports: ReportRepository;
  memberTokens: MemberTokenRepository;
  imports: ImportRepository;
  history: HistoryRepository;
  simulations: SimulationRepository;
  /** Runs `fn` so that, if it throws, only its own writes are undone and the transaction goes on. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

/** Runs a unit of work in one transaction; the callback gets repositories bound to it. */
export interface Transactor {
  run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /**
   * Runs reads outside a transaction, each statement on its own: for a read that is one statement,
   * which sees one consistent snapshot anyway, and saves the BEGIN and COMMIT round trips. Never
   * called inside `run`.
   */
  read?<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): Date;
}
