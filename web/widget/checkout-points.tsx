import { useEffect, useState } from "preact/hooks";
import { memberApi } from "./api.ts";
import type { ElementProps } from "./element.ts";
import { count, money } from "./format.ts";
import { strings } from "./i18n.ts";
import { problemText } from "./member-center.tsx";

interface Quote { balance: number; maxPoints: number; maxDiscount: number; pointsPerUnit?: number; methodId?: string; reason?: string; reasonCode?: string; currency?: string; pointsName?: string; rate?: { points: number; amount: number } | null }
export interface Cart { lines: Array<{ sku: string; quantity: number; amount: number; giftCard?: boolean }>; discounts?: number; credits?: number; shipping?: number }

/** The cart the page gives the element: its `cart` property, or JSON in its `cart` attribute. */
function cartOf(host: HTMLElement): Cart | null {
  const prop = (host as HTMLElement & { cart?: Cart }).cart;
  if (prop) return prop;
  const attr = host.getAttribute("cart");
  try {
    return attr ? (JSON.parse(attr) as Cart) : null;
  } catch {
    return null;
  }
}

/**
 * `<pointbook-checkout-points token cart>`: how many points this cart can use, the maximum and why,
 * and the member's choice, announced as a `pointbook-points` event ({points, discount, methodId})
 * that crosses the shadow boundary for the page's checkout to apply.
 */
export function CheckoutPoints({ apiBase, token, lang, host }: ElementProps) {
  const t = strings(lang);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<number>(0);
  const [applied, setApplied] = useState<string | null>(null);
  const cart = cartOf(host);
  const cartKey = JSON.stringify(cart);

  useEffect(() => {
    if (!cart) return;
    let live = true;
    memberApi(apiBase, token).post<Quote>(`/v1/me/checkout/quote?lang=${encodeURIComponent(lang)}`, { ...cart, channel: host.getAttribute("channel") ?? undefined }).then(
      (q) => {
        if (!live) return;
        setQuote(q);
        setChosen(q.maxPoints);
        setError(null);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [apiBase, token, cartKey, lang]);

  if (error) return <div class="pb"><p class="message error" role="alert">{problemText(t, error)}</p></div>;
  if (!cart) return null;
  if (!quote) return <div class="pb"><p class="muted" role="status">{t.loading}</p></div>;
  const currency = quote.currency ?? "USD";
  const name = quote.pointsName ?? t.points;
  const pts = (n: number) => `${count(n, lang)} ${name}`;
  // As the server computes it: floor(points × amount / rate points), in whole steps of the rate's points.
  const step = quote.rate?.points ?? 1;
  const discountFor = (p: number) => (quote.rate ? Math.floor((p * quote.rate.amount) / quote.rate.points) : quote.maxPoints > 0 ? Math.floor((p * quote.maxDiscount) / quote.maxPoints) : 0);
  return (
    <div class="pb card" lang={lang}>
      <h2>{t.usePoints(name)}</h2>
      <p data-available>{t.available(pts(quote.balance))}</p>
      {quote.maxPoints > 0 ? (
        <>
          <p data-max>{t.maxForCart(pts(quote.maxPoints), money(quote.maxDiscount, currency, lang))}</p>
          <form class="row" onSubmit={(e) => {
            e.preventDefault();
            const points = Math.max(0, Math.min(quote.maxPoints, Math.floor(chosen / step) * step));
            const discount = discountFor(points);
            setApplied(t.applied(pts(points), money(discount, currency, lang)));
            host.dispatchEvent(new CustomEvent("pointbook-points", { detail: { points, discount, methodId: quote.methodId }, bubbles: true, composed: true }));
          }}>
            <div>
              <label for="pb-points">{t.pointsToUse(name)}</label>
              <input id="pb-points" type="number" min={0} max={quote.maxPoints} step={step} value={chosen} onInput={(e) => setChosen(Number((e.currentTarget as HTMLInputElement).value))} />
            </div>
            <button type="submit">{t.apply}</button>
          </form>
          {applied ? <p class="message ok" role="status">{applied}</p> : null}
        </>
      ) : <p class="message" role="status" data-reason={quote.reasonCode ?? ""}>{(quote.reasonCode && t.reasons[quote.reasonCode]) ?? quote.reason ?? t.error}</p>}
    </div>
  );
}
