import { DomainError, invalid } from "../core/errors.ts";
import type { Entry } from "../core/ledger/types.ts";
import { cashbackDiscount } from "../core/redemption/methods.ts";
import type { Page, RedeemMethodRecord } from "../core/ports/records.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { requireStore, type Actor, type Services } from "./context.ts";
import { getMember, memberActivity } from "./members.ts";
import { redeem, type RedemptionView } from "./redemptions.ts";

/** Methods a member redeems by themselves; cashback is spent at checkout, on an order. */
const SELF_SERVICE = new Set(["catalog", "coupon", "product"]);

/** A member's own history: what moved and why, without the staff key that moved it. */
export interface MemberEntryView {
  id: string;
  type: Entry["type"];
  points: number;
  balanceAfter: number;
  at: Date;
  reason?: string;
  source: Entry["source"]["type"];
}

export const memberEntryView = (e: Entry): MemberEntryView => ({
  id: e.id, type: e.type, points: e.points, balanceAfter: e.balanceAfter, at: e.at, ...(e.reason !== null ? { reason: e.reason } : {}), source: e.source.type,
});

/**
 * A text in the member's language: the one asked for, its base language (`zh` for `zh-TW`), the
 * program's default language, English, then any; null when the program has none.
 */
export function inLanguage(texts: Record<string, string>, lang: string, fallback: string): string | null {
  const base = lang.split("-")[0]!;
  return texts[lang] ?? texts[base] ?? Object.entries(texts).find(([k]) => k.split("-")[0] === base)?.[1] ?? texts[fallback] ?? texts.en ?? Object.values(texts)[0] ?? null;
}

async function enabledMethods(repos: Repositories, storeId: string): Promise<RedeemMethodRecord[]> {
  const all: RedeemMethodRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await repos.redemptions.listMethods(storeId, 500, cursor);
    all.push(...page.data.filter((m) => m.config.enabled !== false));
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** GET /v1/me (SPEC §4): what the member centre shows, in the member's language. */
export async function memberCentre(services: Services, storeId: string, memberId: string, askedLang: string | undefined) {
  const { store, methods } = await services.tx.run(async (repos) => ({ store: await requireStore(repos, storeId), methods: await enabledMethods(repos, storeId) }));
  const member = await getMember(services, storeId, memberId);
  const program = store.program;
  const lang = askedLang ?? member.language ?? program.defaultLanguage;
  const text = (texts: Record<string, string>) => inLanguage(texts, lang, program.defaultLanguage);
  const common = { memberId, storeName: store.name, timezone: store.timezone, language: lang, enabled: program.enabled, pointsName: text(program.pointsName) ?? "Points", rulesText: text(program.rulesText) };
  if (!program.enabled) return common;
  const cashback = methods.find((m) => m.type === "cashback");
  const history = await memberActivity(services, storeId, memberId, { limit: 10, cursor: null });
  return {
    ...common,
    balance: member.balance,
    pending: member.pending,
    held: member.held,
    cashValue: cashback ? { amount: member.balance > 0 ? cashbackDiscount({ points: Number(cashback.config.points), amount: Number(cashback.config.amount) }, member.balance) : 0, currency: store.currency } : null,
    tier: member.tier,
    expiring: member.expiring,
    history: { data: history.data.map(memberEntryView), nextCursor: history.nextCursor },
    rewards: methods.filter((m) => SELF_SERVICE.has(m.type)).map((m) => ({
      methodId: m.id,
      type: m.type,
      name: String(m.config.name),
      ...(typeof m.config.description === "string" ? { description: m.config.description } : {}),
      points: Number(m.config.points),
      affordable: member.balance >= Number(m.config.points),
    })),
  };
}

export async function myActivity(services: Services, storeId: string, memberId: string, page: { limit: number; cursor: string | null }): Promise<Page<MemberEntryView>> {
  const found = await memberActivity(services, storeId, memberId, page);
  return { data: found.data.map(memberEntryView), nextCursor: found.nextCursor };
}

/** POST /v1/me/redemptions: a reward the member redeems by themselves (a pack, a code, a product). */
export async function redeemForMember(repos: Repositories, services: Services, storeId: string, memberId: string, methodId: string): Promise<RedemptionView> {
  const method = await repos.redemptions.getMethod(storeId, methodId);
  if (!method) throw invalid("methodId", "no such reward");
  if (!SELF_SERVICE.has(method.type)) throw new DomainError("validation_failed", "points as money are spent at checkout, on an order", { errors: [{ path: "methodId", message: "a cashback method is redeemed at checkout, not here" }] });
  const actor: Actor = { id: `member:${memberId}`, role: "system" };
  return redeem(repos, services, storeId, { memberId, methodId }, actor);
}
