import { DomainError } from "../../core/errors.ts";
import { currentOrder, isOlder, withDeletion, withRefund, withSnapshot, type Platform, type PlatformCustomer, type PlatformOrder, type PlatformOrderState, type RefundInput } from "../../core/integrations/platform-order.ts";
import { read } from "../../core/integrations/payload.ts";
import { orderSchema } from "../../core/orders/order.ts";
import type { MemberAttributes, StoreRecord } from "../../core/ports/records.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import type { Actor, Services } from "../context.ts";
import { upsertOrder } from "../orders.ts";

/** One delivery's change, in the caller's transaction, as one of the steps below. */
export interface PlatformStep {
  repos: Repositories;
  services: Services;
  store: StoreRecord;
  platform: Platform;
  now: Date;
}

const actorOf = (platform: Platform): Actor => ({ id: platform, role: "system" });

/** An order payload: its customer first (so the member exists as the platform describes them), then the order. */
export async function applyOrder(step: PlatformStep, incoming: PlatformOrder): Promise<void> {
  if (incoming.order.currency && incoming.order.currency !== step.store.currency) {
    throw new DomainError("validation_failed", `the order is in ${incoming.order.currency}, the store counts in ${step.store.currency}`, {
      errors: [{ path: "currency", message: `must be the store's currency ${step.store.currency}` }],
    });
  }
  if (incoming.customer) await applyCustomer(step, incoming.customer);
  await changeOrder(step, incoming.orderId, (state) => withSnapshot(state, incoming));
}

export async function applyRefund(step: PlatformStep, orderId: string, refund: RefundInput): Promise<void> {
  await changeOrder(step, orderId, (state) => withRefund(state, refund));
}

export async function applyDeletion(step: PlatformStep, orderId: string): Promise<void> {
  await changeOrder(step, orderId, (state) => withDeletion(state, step.now.toISOString()));
}

/**
 * Changes what is kept of the order under its lock, then reconciles the order it now adds up to
 * through the same code path as `PUT /v1/orders/{id}`. Nothing is reconciled before the order
 * itself has arrived.
 */
async function changeOrder(step: PlatformStep, orderId: string, change: (state: PlatformOrderState) => PlatformOrderState): Promise<void> {
  const { repos, services, store, platform, now } = step;
  const next = change(await repos.integrations.lockOrder(store.id, platform, orderId));
  await repos.integrations.saveOrder(store.id, platform, orderId, next, now);
  const input = currentOrder(next);
  if (input === null) return;
  const order = read(orderSchema, input, "order");
  await upsertOrder(repos, services, store.id, orderId, order, actorOf(platform));
}

/**
 * A customer description is applied unless an older one than the description applied last
 * (by the platform's updated-at); contact details an order carries only fill what is missing.
 */
export async function applyCustomer(step: PlatformStep, customer: PlatformCustomer): Promise<void> {
  const { repos, store, platform, now } = step;
  const kept = await repos.integrations.lockCustomer(store.id, platform, customer.memberId);
  const newer = kept === undefined || (customer.version === null ? kept.version === null : !isOlder(customer.version, kept.version));
  let attributes: MemberAttributes | null = null;
  if (customer.fillOnly) {
    const member = await repos.members.get(store.id, customer.memberId);
    attributes = missing(customer.attributes, member);
  } else if (newer) {
    attributes = customer.attributes;
  }
  if (attributes && Object.keys(attributes).length > 0) await repos.members.upsert(store.id, customer.memberId, attributes, now);
  await repos.integrations.saveCustomer(store.id, platform, customer.memberId, newer && !customer.fillOnly ? customer.version ?? kept?.version ?? null : kept?.version ?? null);
}

function missing(attrs: MemberAttributes, member: { email: string | null; phone: string | null } | null): MemberAttributes {
  const out: MemberAttributes = {};
  if (attrs.email && !member?.email) out.email = attrs.email;
  if (attrs.phone && !member?.phone) out.phone = attrs.phone;
  return out;
}
