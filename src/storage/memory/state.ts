import type { EntryType, HoldStatus, LotStatus, SourceType } from "../../core/ledger/types.ts";
import type { OrderEligibility } from "../../core/orders/eligibility.ts";
import type { OrderOrigin } from "../../core/orders/origin.ts";
import type { ImportRecord } from "../../core/ports/imports.ts";
import type { Order } from "../../core/orders/order.ts";
import type { ProgramSettings } from "../../core/program/settings.ts";
import type { CouponRecord, RedemptionRecord, Role } from "../../core/ports/records.ts";
import type { StoredOutcome } from "../../core/ports/repositories.ts";
import type { NotificationRecord } from "../../core/ports/notifications.ts";
import type { EventMemberFacts } from "../../core/rules/event.ts";
import type { EarnRule } from "../../core/rules/schema.ts";
import type { Tier } from "../../core/tiers/schema.ts";
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from "../../core/ports/webhooks.ts";
import type { IntegrationRecord, PlatformDeliveryRecord } from "../../core/ports/integrations.ts";
import type { MemberTokenSecrets } from "../../core/ports/member-tokens.ts";
import type { PlatformOrderState } from "../../core/integrations/platform-order.ts";
import type { DueIndex } from "./due.ts";
import { jsonbDocuments, type Documents } from "./values.ts";

/**
 * The whole database as plain maps, one row type per table of the SQL schema
 * (src/storage/migrations), columns in camelCase. Stores and their leases are global; every other
 * table lives in the store's `Tenant`, as every SQL key leads with store_id. A few maps are indexes
 * (named for what they find), kept by the writers beside the rows.
 */
export interface MemoryState {
  /** How its jsonb columns are kept (values.ts). */
  readonly documents: Documents;
  /**
   * How ledger entries are kept: as rows, or tallied (tally.ts), for a replay's scratch database,
   * which reads nothing of them but its monthly flows.
   */
  readonly entries: EntryKeeping;
  stores: Map<string, StoreRow>;
  /** due_work_leases, by store id. */
  leases: Map<string, LeaseRow>;
  tenants: Map<string, Tenant>;
}

export interface Tenant {
  keys: Map<string, KeyRow>;
  /** UNIQUE (store_id, key_hash): hash → key id. */
  keyHashes: Map<string, string>;
  members: Map<string, MemberRow>;
  lots: Map<string, LotRow>;
  /** Lot ids per member, in the order they were created. */
  memberLots: Map<string, Set<string>>;
  /** Per member, the lots with points left or pending (the `lots_open` partial index): what books load and due work looks at. */
  openLots: Map<string, Set<string>>;
  /** Pending lots by the UTC day they mature; available lots with points left by the day they expire (due.ts). */
  maturingLots: DueIndex;
  expiringLots: DueIndex;
  entries: Map<string, EntryRow>;
  /** Entries tallied instead (MemoryState.entries, tally.ts): instant, type, points, three numbers an entry. */
  tally: number[];
  /** UNIQUE (store_id, member_id, seq): member → seq → entry id. */
  memberEntries: Map<string, Map<number, string>>;
  /** By `${entryId}\u0000${ord}`, the primary key. */
  allocations: Map<string, AllocationRow>;
  holds: Map<string, HoldRow>;
  /** Per member, the holds with status 'held' (the `holds_open` partial index). */
  openHolds: Map<string, Set<string>>;
  /** Held holds by the UTC day they time out (due.ts). */
  expiringHolds: DueIndex;
  methods: Map<string, MethodRow>;
  redemptions: Map<string, RedemptionRow>;
  orderRedemptions: Map<string, Set<string>>;
  holdRedemptions: Map<string, Set<string>>;
  coupons: Map<string, CouponRow>;
  entitlements: Map<string, EntitlementRow>;
  entitlementUses: Map<string, EntitlementUseRow>;
  audit: Map<string, AuditRow>;
  /** scope → key → row. */
  idempotency: Map<string, Map<string, IdempotencyRow>>;
  outbox: Map<string, OutboxRow>;
  /** The highest outbox seq, under "outbox": the next event's is one more, with no scan of the table. */
  outboxSeq: Map<"outbox", number>;
  /** Ids of outbox rows not dispatched yet (what dispatchers look for). */
  undispatched: Set<string>;
  rules: Map<string, RuleRow>;
  /** rule id → version → row. */
  ruleVersions: Map<string, Map<number, RuleVersionRow>>;
  /** By `${memberId}\u0000${ruleId}\u0000${period}`. */
  counters: Map<string, CounterRow>;
  /** By `${ruleId}\u0000${owner}\u0000${key}`. */
  once: Map<string, OnceRow>;
  events: Map<string, EventRow>;
  tiers: Map<string, TierRow>;
  orders: Map<string, OrderRow>;
  /** Order ids per member (the `orders_member` index). */
  memberOrders: Map<string, Set<string>>;
  /** order id → rule id → award. */
  awards: Map<string, Map<string, AwardRow>>;
  webhookEndpoints: Map<string, WebhookEndpointRow>;
  webhookDeliveries: Map<string, WebhookDeliveryRow>;
  notifications: Map<string, NotificationRow>;
  /** UNIQUE (store_id, event_id, channel): `${eventId}\u0000${channel}` → notification id. */
  notificationKeys: Map<string, string>;
  /** Platform connections, deliveries, orders and customers (`integrations.ts`). */
  platforms: PlatformTables;
  /** The member-token secrets, under the one key "current". */
  memberTokenSecrets: Map<string, MemberTokenSecrets>;
  /** CSV imports, their errors and uploads (`imports.ts`). */
  imports: ImportTables;
}

export interface ImportTables {
  /** imports, by id. */
  records: Map<string, ImportRecord>;
  /** import_errors, by `${importId}\u0000${n}`. */
  errors: Map<string, { importId: string; n: number; line: number; message: string }>;
  /** import_rejected_orders, by `${importId}\u0000${orderId}`. */
  rejectedOrders: Map<string, { importId: string; orderId: string }>;
  /** import_chunks, by `${uploadId}\u0000${seq}`. */
  chunks: Map<string, { uploadId: string; seq: number; start: number; data: Uint8Array; createdAt: Date }>;
}

export interface PlatformTables {
  integrations: Map<string, IntegrationRecord>;
  /** By `${platform}\u0000${deliveryId}`. */
  deliveries: Map<string, PlatformDeliveryRecord & { platform: string }>;
  /** By `${platform}\u0000${orderId}`. */
  orders: Map<string, PlatformOrderState>;
  /** By `${platform}\u0000${customerId}`. */
  customers: Map<string, { version: string | null }>;
}

export interface StoreRow {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  sandbox: boolean;
  clockNow: Date | null;
  program: ProgramSettings;
  createdAt: Date;
  tiersCheckedAt: Date | null;
  /** Raised by every change to the store's earn rules and tiers. */
  programVersion: number;
}

export interface LeaseRow {
  holder: string;
  /** Epoch ms on the wall clock; -Infinity once given up. */
  expiresAt: number;
}

export interface KeyRow {
  id: string;
  name: string;
  role: Role;
  keyHash: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface MemberRow {
  memberId: string;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  tier: string | null;
  manualTier: string | null;
  tags: string[];
  isMember: boolean;
  language: string | null;
  balance: number;
  pending: number;
  held: number;
  debt: number;
  seq: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LotRow {
  id: string;
  memberId: string;
  points: number;
  remaining: number;
  status: LotStatus;
  earnedAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  sourceType: SourceType;
  sourceRef: string | null;
  remindedAt: Date | null;
  createdAt: Date;
}

export interface EntryRow {
  id: string;
  memberId: string;
  seq: number;
  type: EntryType;
  points: number;
  delta: number;
  balanceAfter: number;
  at: Date;
  actor: string;
  reason: string | null;
  sourceType: SourceType;
  sourceRef: string | null;
  lotId: string | null;
  holdId: string | null;
  explanation: Record<string, unknown> | null;
  createdAt: Date;
}

export interface AllocationRow {
  entryId: string;
  ord: number;
  memberId: string;
  lotId: string;
  points: number;
}

export interface HoldRow {
  id: string;
  memberId: string;
  points: number;
  status: HoldStatus;
  expiresAt: Date;
  entryId: string;
  sourceType: SourceType;
  sourceRef: string | null;
  allocations: Array<{ lotId: string; points: number }>;
  createdAt: Date;
}

export interface MethodRow {
  id: string;
  type: string;
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export type RedemptionRow = RedemptionRecord;

export interface CouponRow extends Omit<CouponRecord, "products"> {
  products: string[] | null;
}

export interface EntitlementRow {
  id: string;
  memberId: string;
  redemptionId: string;
  sku: string;
  units: number;
  unitsRemaining: number;
  expiresAt: Date | null;
  createdAt: Date;
}

export interface EntitlementUseRow {
  id: string;
  entitlementId: string;
  units: number;
  actor: string;
  at: Date;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export interface IdempotencyRow {
  fingerprint: string;
  /** The `response` column: null while the request that claimed the key has not completed it. */
  outcome: StoredOutcome | null;
  createdAt: Date;
}

export interface OutboxRow {
  id: string;
  /** The feed's order: one sequence for the whole state, as the SQL identity column. */
  seq: number;
  topic: string;
  memberId: string | null;
  payload: unknown;
  occurredAt: Date;
  createdAt: Date;
  dispatchedAt: Date | null;
}

export interface RuleRow {
  id: string;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface RuleVersionRow {
  ruleId: string;
  version: number;
  event: string;
  definition: EarnRule | null;
  effectiveFrom: Date;
  actor: string;
  createdAt: Date;
}

export interface CounterRow {
  memberId: string;
  ruleId: string;
  period: string;
  points: number;
  times: number;
  units: number;
}

export interface OnceRow {
  ruleId: string;
  owner: string;
  key: string;
  memberId: string;
  sourceRef: string | null;
  createdAt: Date;
}

export interface EventRow {
  id: string;
  type: string;
  memberId: string;
  occurredAt: Date;
  channel: string;
  properties: Record<string, unknown>;
  points: number;
  recordedAt: Date;
  member: EventMemberFacts | null;
}

export interface TierRow {
  code: string;
  name: string;
  rank: number;
  multiplier: number;
  qualification: Tier["qualification"];
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderRow {
  id: string;
  memberId: string | null;
  channel: string;
  body: Order;
  placedAt: Date;
  sourceUpdatedAt: Date | null;
  eligibility: OrderEligibility | null;
  origin: OrderOrigin | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AwardRow {
  orderId: string;
  ruleId: string;
  ruleVersion: number;
  memberId: string;
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
  createdAt: Date;
  updatedAt: Date;
}

export interface NotificationRow extends NotificationRecord {
  leaseUntil: Date | null;
}

export interface WebhookEndpointRow extends WebhookEndpointRecord {
  deletedAt: Date | null;
}

export interface WebhookDeliveryRow extends WebhookDeliveryRecord {
  leaseUntil: Date | null;
}

export type EntryKeeping = "rows" | "tallied";

export function emptyState(documents: Documents = jsonbDocuments, entries: EntryKeeping = "rows"): MemoryState {
  return { documents, entries, stores: new Map(), leases: new Map(), tenants: new Map() };
}

export function emptyTenant(): Tenant {
  return {
    keys: new Map(), keyHashes: new Map(), members: new Map(), lots: new Map(), memberLots: new Map(), openLots: new Map(),
    maturingLots: new Map(), expiringLots: new Map(), expiringHolds: new Map(),
    entries: new Map(), tally: [], memberEntries: new Map(), allocations: new Map(), holds: new Map(), openHolds: new Map(),
    methods: new Map(), redemptions: new Map(), orderRedemptions: new Map(), holdRedemptions: new Map(), coupons: new Map(),
    entitlements: new Map(), entitlementUses: new Map(), audit: new Map(), idempotency: new Map(), outbox: new Map(), rules: new Map(),
    outboxSeq: new Map(), undispatched: new Set(),
    ruleVersions: new Map(), counters: new Map(), once: new Map(), events: new Map(), tiers: new Map(), orders: new Map(),
    memberOrders: new Map(), awards: new Map(), notifications: new Map(), notificationKeys: new Map(),
    webhookEndpoints: new Map(), webhookDeliveries: new Map(),
    platforms: { integrations: new Map(), deliveries: new Map(), orders: new Map(), customers: new Map() },
    memberTokenSecrets: new Map(),
    imports: { records: new Map(), errors: new Map(), rejectedOrders: new Map(), chunks: new Map() },
  };
}

/** A store's rows for reading: an empty tenant (never stored) when the store has none yet. */
export function peek(state: MemoryState, storeId: string): Tenant {
  return state.tenants.get(storeId) ?? emptyTenant();
}
