import type { ProgramSettings } from "../program/settings.ts";
import type { Cart } from "../redemption/quote.ts";

export type Role = "viewer" | "points_manager" | "admin";

export interface StoreRecord {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  sandbox: boolean;
  /** A sandbox store's own clock; null for stores on wall time. */
  clockNow: Date | null;
  program: ProgramSettings;
  createdAt: Date;
  /**
   * Raised by every change to the store's earn rules and tiers (never by the program settings,
   * which live in this record). A storage that does not keep it leaves it out, and the program
   * is then read afresh by every command.
   */
  programVersion?: number;
}

export interface ApiKeyRecord {
  storeId: string;
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: Date;
  revokedAt?: Date | null;
}

export interface MemberAttributes {
  email?: string | null;
  phone?: string | null;
  birthday?: string | null;
  tier?: string | null;
  tags?: string[];
  isMember?: boolean;
  language?: string | null;
}

export interface MemberRecord {
  memberId: string;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  tier: string | null;
  tags: string[];
  isMember: boolean;
  language: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RedeemMethodRecord {
  id: string;
  type: string;
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface RedemptionRecord {
  id: string;
  memberId: string;
  methodId: string;
  type: string;
  /** `returned`: completed, then given back in full (order canceled or refunded). */
  status: "held" | "completed" | "released" | "returned";
  points: number;
  discount: number | null;
  orderId: string | null;
  holdId: string | null;
  entitlementId: string | null;
  code: string | null;
  /** Points given back to the member after completion (refunds, cancellation). */
  returned: number;
  /** The channel it came through; null for redemptions recorded before channels were kept. */
  channel: string | null;
  /** The checkout cart the request carried (a cashback's limits are judged on it while the order is not recorded); null without one. */
  cart: Cart | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CouponRecord {
  code: string;
  memberId: string;
  methodId: string;
  redemptionId: string;
  kind: "coupon" | "product";
  /** percent / fixed / free_shipping, or `{type: "product", sku}` for a product code. */
  discount: Record<string, unknown> & { type: string };
  conditions: { minSubtotal?: number; minQuantity?: number };
  usableBy: "owner" | "anyone";
  products: string[] | null;
  stackable: boolean;
  expiresAt: Date | null;
  usedAt: Date | null;
  usedOrderId: string | null;
  usedBy: string | null;
  createdAt: Date;
}

export interface EntitlementRecord {
  id: string;
  memberId: string;
  redemptionId: string;
  sku: string;
  units: number;
  unitsRemaining: number;
  expiresAt: Date | null;
  createdAt: Date;
}

export interface AuditRecord {
  id: string;
  at: Date;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
