import { useEffect, useRef, useState } from "preact/hooks";
import { memberApi, newKey, WidgetError } from "./api.ts";
import type { ElementProps } from "./element.ts";
import { count, day, money } from "./format.ts";
import { strings, type Strings } from "./i18n.ts";

interface Entry { id: string; type: string; points: number; balanceAfter: number; at: string; reason?: string }
interface Reward { methodId: string; type: string; name: string; description?: string; points: number; affordable: boolean }
interface Me {
  memberId: string; storeName: string; timezone?: string; enabled: boolean; pointsName: string; rulesText: string | null;
  balance?: number; pending?: number; held?: number; cashValue?: { amount: number; currency: string } | null; tier?: string | null;
  expiring?: Array<{ expiresAt: string; points: number }>; history?: { data: Entry[]; nextCursor: string | null }; rewards?: Reward[];
}

/** The member's trouble in their words: an expired or bad token is a sign-in to renew, not a blank box. */
export function problemText(t: Strings, error: unknown): string {
  if (error instanceof WidgetError) {
    if (error.code === "invalid_token") return /expired/.test(error.message) ? t.expired : t.invalid;
    if (error.code === "program_disabled") return t.disabled;
    if (error.code === "network") return t.offline;
    return error.message || t.error;
  }
  return t.error;
}

/** `<pointbook-member-center token lang>`: balance, cash value, expiry, how to earn, rewards and history. */
export function MemberCenter({ apiBase, token, lang }: ElementProps) {
  const t = strings(lang);
  const api = memberApi(apiBase, token);
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string; code?: string } | null>(null);

  // Only the latest load is shown: an answer for a token or language the element no longer has
  // may arrive after the newer one and must not replace it.
  const latest = useRef(0);
  async function load() {
    const mine = ++latest.current;
    try {
      if (!token) throw new WidgetError(401, "invalid_token", "no token");
      const data = await api.get<Me>("/v1/me", { lang });
      if (mine !== latest.current) return;
      setMe(data);
      setMore([]);
      setCursor(data.history?.nextCursor ?? null);
      setError(null);
    } catch (e) {
      if (mine === latest.current) setError(e);
    }
  }
  useEffect(() => {
    setMe(null);
    setResult(null);
    void load();
  }, [apiBase, token, lang]);

  if (error) return <div class="pb" part="container"><p class="message error" role="alert">{problemText(t, error)}</p></div>;
  if (!me) return <div class="pb"><p class="muted" role="status">{t.loading}</p></div>;
  const pts = (n: number) => `${count(n, lang)} ${me.pointsName}`;
  if (!me.enabled) {
    return (
      <div class="pb">
        <p class="message" role="status">{t.disabled}</p>
        {me.rulesText ? <div class="card"><h2>{t.howToEarn}</h2><p class="rules">{me.rulesText}</p></div> : null}
      </div>
    );
  }

  async function redeemReward(r: Reward) {
    setBusy(r.methodId);
    setResult(null);
    try {
      const red = await api.post<{ code?: string }>("/v1/me/redemptions", { methodId: r.methodId }, newKey());
      setResult({ ok: true, text: t.redeemed(r.name), ...(red.code ? { code: red.code } : {}) });
      await load();
    } catch (e) {
      setResult({ ok: false, text: problemText(t, e) });
    } finally {
      setBusy(null);
    }
  }

  async function showMore() {
    if (!cursor) return;
    try {
      const page = await api.get<{ data: Entry[]; nextCursor: string | null }>("/v1/me/activity", { limit: 20, cursor });
      setMore([...more, ...page.data]);
      setCursor(page.nextCursor);
    } catch (e) {
      setResult({ ok: false, text: problemText(t, e) });
    }
  }

  const history = [...(me.history?.data ?? []), ...more];
  return (
    <div class="pb" lang={lang}>
      <section class="card" aria-label={me.pointsName}>
        <div class="figures">
          <div class="figure"><span class="label">{t.balance}</span><span class="value" data-balance>{pts(me.balance ?? 0)}</span></div>
          {me.cashValue ? <div class="figure small"><span class="label">{t.cashValue}</span><span class="value" data-cash>{money(me.cashValue.amount, me.cashValue.currency, lang)}</span></div> : null}
          {me.pending ? <div class="figure small"><span class="label">{t.pending}</span><span class="value">{count(me.pending, lang)}</span></div> : null}
          {me.held ? <div class="figure small"><span class="label">{t.held}</span><span class="value">{count(me.held, lang)}</span></div> : null}
          {me.tier ? <div class="figure small"><span class="label">{t.tier}</span><span class="value">{me.tier}</span></div> : null}
        </div>
      </section>
      <section class="card" aria-labelledby="pb-expiring">
        <h2 id="pb-expiring">{t.expiring}</h2>
        {(me.expiring ?? []).length === 0 ? <p class="muted">{t.noExpiry}</p> : (
          <ul data-expiring>{me.expiring!.map((x) => <li key={x.expiresAt}><span>{day(x.expiresAt, lang, me.timezone)}</span><span class="num">{pts(x.points)}</span></li>)}</ul>
        )}
      </section>
      {me.rulesText ? <section class="card" aria-labelledby="pb-rules"><h2 id="pb-rules">{t.howToEarn}</h2><p class="rules" data-rules>{me.rulesText}</p></section> : null}
      <section class="card" aria-labelledby="pb-rewards">
        <h2 id="pb-rewards">{t.rewards}</h2>
        {result ? <p class={`message ${result.ok ? "ok" : "error"}`} role={result.ok ? "status" : "alert"}>{result.text}{result.code ? <> {t.yourCode}: <code data-code>{result.code}</code></> : null}</p> : null}
        {(me.rewards ?? []).length === 0 ? <p class="muted">{t.noRewards}</p> : (
          <ul>
            {me.rewards!.map((r) => (
              <li key={r.methodId} class="reward" data-reward={r.name}>
                <span><strong>{r.name}</strong><br /><span class="muted">{pts(r.points)}{r.description ? ` · ${r.description}` : ""}</span></span>
                <button type="button" disabled={!r.affordable || busy !== null} aria-label={`${t.redeem}: ${r.name}`} onClick={() => void redeemReward(r)}
                  title={r.affordable ? undefined : t.notEnough(pts(r.points))}>{busy === r.methodId ? t.redeeming : t.redeem}</button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="pb-history">
        <h2 id="pb-history">{t.history}</h2>
        {history.length === 0 ? <p class="muted">{t.noHistory}</p> : (
          <ul data-history>
            {history.map((e) => {
              // Points on their way are not in the balance yet: they show as pending, and count when they become available.
              const pending = e.type === "pending";
              return (
                <li key={e.id} data-type={e.type}>
                  <span><span>{e.reason ?? t.types[e.type] ?? e.type}</span><br /><span class="muted">{day(e.at, lang, me.timezone)}{pending ? ` · ${t.types.pending}` : ""}</span></span>
                  <span class={`num ${pending ? "pending" : e.points >= 0 ? "plus" : "minus"}`}>{e.points > 0 ? "+" : ""}{count(e.points, lang)}</span>
                </li>
              );
            })}
          </ul>
        )}
        {cursor ? <button type="button" class="quiet" onClick={() => void showMore()}>{t.more}</button> : null}
      </section>
    </div>
  );
}
