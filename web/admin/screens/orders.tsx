import { unwrap } from "../api.ts";
import { useState } from "preact/hooks";
import { dateTime, money, points } from "../format.ts";
import { href, navigate } from "../router.ts";
import { useSession } from "../session.ts";
import { TextField } from "../ui/fields.tsx";
import { Card, Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

interface Order {
  id?: string; orderId?: string; memberId: string | null; channel: string; status?: string; currency?: string;
  lines: Array<{ sku: string; quantity: number; amount: number; giftCard?: boolean }>;
  discounts: number; shipping: number; placedAt: string; paidAt?: string | null; fulfilledAt?: string | null; deliveredAt?: string | null; canceledAt?: string | null;
  refunds: Array<{ id: string; amount: number; at: string }>;
  points: { earned: number; pending: number; reversed: number; redeemed: number };
  awards?: Array<Record<string, unknown>>;
}

export function OrdersScreen({ route }: ScreenProps) {
  const [id, setId] = useState(route[0] ?? "");
  return (
    <Page title="Orders" intro="Look up an order to see the points it earned, has pending, had reversed and spent.">
      <form role="search" class="row search" onSubmit={(e) => { e.preventDefault(); if (id.trim()) navigate("orders", id.trim()); }}>
        <TextField name="orderId" label="Order id" value={id} onInput={setId} />
        <button type="submit" class="primary">Look up</button>
      </form>
      {route[0] ? <OrderView orderId={route[0]} /> : null}
    </Page>
  );
}

function OrderView({ orderId }: { orderId: string }) {
  const { client, store } = useSession();
  const order = useLoad(() => unwrap(client.GET("/v1/orders/{orderId}", { params: { path: { orderId } } })), [orderId]);
  if (order.error?.problem.status === 404) return <Empty title="No such order">Pointbook has not received order “{orderId}”.</Empty>;
  if (!order.data) return order.error ? <ErrorBanner error={order.error} /> : <Loading />;
  const o = order.data;
  const cash = (n: number) => money(n, o.currency ?? store.currency);
  return (
    <>
      <div class="stats">
        <div class="card"><p class="stat-label">Earned</p><p class="stat" data-stat="earned">{points(o.points.earned)}</p></div>
        <div class="card"><p class="stat-label">Pending</p><p class="stat" data-stat="pending">{points(o.points.pending)}</p></div>
        <div class="card"><p class="stat-label">Reversed</p><p class="stat">{points(o.points.reversed)}</p></div>
        <div class="card"><p class="stat-label">Spent on it</p><p class="stat">{points(o.points.redeemed)}</p></div>
      </div>
      <Card title={`Order ${orderId}`}>
        <dl class="facts">
          <dt>Member</dt><dd>{o.memberId ? <a href={href("members", o.memberId)}>{o.memberId}</a> : "guest (earns nothing)"}</dd>
          <dt>Channel</dt><dd>{o.channel}</dd>
          {o.status ? <><dt>Status</dt><dd>{o.status}</dd></> : null}
          <dt>Placed</dt><dd>{dateTime(o.placedAt, store.timezone)}</dd>
          <dt>Paid</dt><dd>{dateTime(o.paidAt, store.timezone)}</dd>
          <dt>Fulfilled</dt><dd>{dateTime(o.fulfilledAt, store.timezone)}</dd>
          <dt>Delivered</dt><dd>{dateTime(o.deliveredAt, store.timezone)}</dd>
          <dt>Canceled</dt><dd>{dateTime(o.canceledAt, store.timezone)}</dd>
          <dt>Discounts</dt><dd>{cash(o.discounts)}</dd><dt>Shipping</dt><dd>{cash(o.shipping)}</dd>
        </dl>
        <div class="table-wrap"><table aria-label="Lines"><thead><tr><th scope="col">Sku</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Amount</th></tr></thead>
          <tbody>{o.lines.map((l, i) => <tr key={i}><td><code>{l.sku}</code>{l.giftCard ? " (gift card)" : ""}</td><td class="num">{l.quantity}</td><td class="num">{cash(l.amount)}</td></tr>)}</tbody></table></div>
        {o.refunds.length > 0 ? (
          <div class="table-wrap"><table aria-label="Refunds"><thead><tr><th scope="col">Refund</th><th scope="col">When</th><th scope="col" class="num">Amount</th></tr></thead>
            <tbody>{o.refunds.map((r) => <tr key={r.id}><td><code>{r.id}</code></td><td>{dateTime(r.at, store.timezone)}</td><td class="num">{cash(r.amount)}</td></tr>)}</tbody></table></div>
        ) : null}
      </Card>
    </>
  );
}
