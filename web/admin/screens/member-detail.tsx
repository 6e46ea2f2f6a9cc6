import { useState } from "preact/hooks";
import { newIdempotencyKey, unwrap } from "../api.ts";
import { dateTime, points } from "../format.ts";
import { href } from "../router.ts";
import { useCan, useSession } from "../session.ts";
import { Checkbox, NumberField, TextField } from "../ui/fields.tsx";
import { Card, Empty, ErrorBanner, Loading, Notice, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";

interface Member {
  memberId: string; email: string | null; phone: string | null; tier: string | null; isMember: boolean; tags: string[];
  balance: number; pending: number; held: number; debt: number; expiring: Array<{ expiresAt: string; points: number }>;
}
interface Entry {
  id: string; type: string; points: number; balanceAfter: number; at: string; reason?: string; explanation?: Record<string, unknown>;
  actor: string; source: { type: string; ref: string | null };
}
interface Notification { id: string; scenario: string; channel: string; to: string | null; status: string; subject?: string; at: string; error?: string }

/** How an award came about, in a line: the rule and the figures it used. */
function explain(e: Entry): string {
  if (!e.explanation) return "";
  const x = e.explanation as Record<string, unknown>;
  const parts: string[] = [];
  if (x.ruleName) parts.push(String(x.ruleName));
  if (x.base !== undefined) parts.push(`on ${x.base}`);
  if (x.award && typeof x.award === "object") parts.push(JSON.stringify(x.award));
  return parts.length > 0 ? parts.join(" · ") : JSON.stringify(x);
}

export function MemberDetail({ memberId }: { memberId: string }) {
  const session = useSession();
  const { client, store } = session;
  const canAdjust = useCan("points_manager");
  const path = { memberId };
  const member = useLoad(() => unwrap(client.GET("/v1/members/{memberId}", { params: { path } })), [memberId]);
  const [pages, setPages] = useState<string[]>([""]);
  const activity = useLoad(async () => {
    const all: Entry[] = [];
    let next: string | null = null;
    for (const cursor of pages) {
      const page = await unwrap(client.GET("/v1/members/{memberId}/activity", { params: { path, query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
      all.push(...page.data);
      next = page.nextCursor;
    }
    return { entries: all, next };
  }, [memberId, pages.length]);
  const notifications = useLoad(() => unwrap(client.GET("/v1/members/{memberId}/notifications", { params: { path, query: { limit: 20 } } })), [memberId]);

  const [adjust, setAdjust] = useState<{ points?: number; reason: string; email: boolean; sms: boolean }>({ reason: "", email: false, sms: false });
  const [done, setDone] = useState<string | undefined>();
  const save = useAction(async () => {
    const entry = await unwrap(client.POST("/v1/members/{memberId}/adjustments", {
      params: { path, header: { "idempotency-key": newIdempotencyKey() } },
      // The API names a missing or zero amount at its field; the form sends what was typed.
      body: { points: adjust.points as number, reason: adjust.reason, ...(adjust.points && adjust.points > 0 ? { notify: { email: adjust.email, sms: adjust.sms } } : {}) },
    }));
    setDone(`${entry.points > 0 ? "Added" : "Deducted"} ${points(Math.abs(entry.points))} points. Balance now ${points(entry.balanceAfter)}.`);
    setAdjust({ reason: "", email: false, sms: false });
    member.reload();
    setPages([""]);
    activity.reload();
    notifications.reload();
  });

  if (member.error?.problem.status === 404) {
    return (
      <Page title={`Member ${memberId}`}>
        <Empty title="No such member yet">Pointbook has not seen “{memberId}”. Adding points below creates the member.</Empty>
        {canAdjust ? <AdjustForm value={adjust} onChange={setAdjust} action={save} done={done} contact={{ email: null, phone: null }} /> : null}
        <p><a href={href("members")}>Back to members</a></p>
      </Page>
    );
  }
  const m = member.data;
  return (
    <Page title={`Member ${memberId}`} actions={<a class="button secondary" href={href("members")}>All members</a>}>
      <ErrorBanner error={member.error} />
      {!m ? <Loading /> : (
        <div class="stats">
          <div class="card"><p class="stat-label">Balance</p><p class="stat" data-stat="balance">{points(m.balance)}</p>{m.debt > 0 ? <p class="stat-sub">owes {points(m.debt)}</p> : null}</div>
          <div class="card"><p class="stat-label">Pending</p><p class="stat" data-stat="pending">{points(m.pending)}</p></div>
          <div class="card"><p class="stat-label">Held at checkout</p><p class="stat" data-stat="held">{points(m.held)}</p></div>
          <div class="card"><p class="stat-label">Tier</p><p class="stat">{m.tier ?? "—"}</p><p class="stat-sub">{m.isMember ? "member" : "guest"}</p></div>
          <div class="card"><p class="stat-label">Contact</p><p>{m.email ?? "no email"}</p><p>{m.phone ?? "no phone"}</p></div>
        </div>
      )}
      {m ? (
        <Card title="Expiry schedule">
          {m.expiring.length === 0 ? <p>No points are due to expire.</p> : (
            <div class="table-wrap"><table aria-label="Expiry schedule"><thead><tr><th scope="col">Expires</th><th scope="col" class="num">Points</th></tr></thead>
              <tbody>{m.expiring.map((x) => <tr key={x.expiresAt}><td>{dateTime(x.expiresAt, store.timezone)}</td><td class="num">{points(x.points)}</td></tr>)}</tbody></table></div>
          )}
        </Card>
      ) : null}
      {canAdjust && m ? <AdjustForm value={adjust} onChange={setAdjust} action={save} done={done} contact={m} /> : null}
      <Card title="Activity">
        <ErrorBanner error={activity.error} />
        {!activity.data ? <Loading /> : activity.data.entries.length === 0 ? <p>No points have moved yet.</p> : (
          <div class="table-wrap">
            {/* "stack": on a phone each entry is a small card of labelled lines (data-label), so reason and points need no sideways scroll. */}
            <table aria-label="Activity" class="stack">
              <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col" class="num">Points</th><th scope="col" class="num">Balance after</th><th scope="col">Reason or explanation</th><th scope="col">By</th><th scope="col">Source</th></tr></thead>
              <tbody>
                {activity.data.entries.map((e) => (
                  <tr key={e.id} data-entry-type={e.type}>
                    <td data-label="When">{dateTime(e.at, store.timezone)}</td><td data-label="What">{e.type}</td>
                    <td data-label="Points" class="num">{e.points > 0 ? `+${points(e.points)}` : points(e.points)}</td>
                    <td data-label="Balance after" class="num">{points(e.balanceAfter)}</td><td data-label="Reason">{e.reason ?? explain(e)}</td>
                    <td data-label="By"><code>{e.actor === session.key.id ? `${e.actor} (you)` : e.actor}</code></td>
                    <td data-label="Source">{e.source.type}{e.source.ref ? <> <code>{e.source.ref}</code></> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {activity.data?.next ? <button type="button" class="secondary" onClick={() => setPages([...pages, activity.data!.next!])}>Show older</button> : null}
      </Card>
      <Card title="Messages sent">
        {!notifications.data ? <Loading /> : notifications.data.data.length === 0 ? <p>No email or SMS yet.</p> : (
          <div class="table-wrap"><table aria-label="Messages" class="stack"><thead><tr><th scope="col">When</th><th scope="col">Channel</th><th scope="col">About</th><th scope="col">To</th><th scope="col">Status</th></tr></thead>
            <tbody>{notifications.data.data.map((n) => (
              <tr key={n.id} data-scenario={n.scenario}>
                <td data-label="When">{dateTime(n.at, store.timezone)}</td><td data-label="Channel">{n.channel}</td><td data-label="About">{n.subject ?? n.scenario}</td>
                <td data-label="To">{n.to ?? "—"}</td><td data-label="Status">{n.status}{n.error ? ` (${n.error})` : ""}</td>
              </tr>
            ))}</tbody></table></div>
        )}
      </Card>
    </Page>
  );
}

type Adjust = { points?: number; reason: string; email: boolean; sms: boolean };

/**
 * Source 002's "Assign Points": points and a reason, and [Send email] / [Send SMS] for increases,
 * each "OFF" when the member has no address or number to send to.
 */
function AdjustForm(props: { value: Adjust; onChange(v: Adjust): void; action: ReturnType<typeof useAction>; done?: string; contact: { email: string | null; phone: string | null } }) {
  const v = props.value;
  const fe = props.action.fieldError;
  // Too few points to deduct is about the points field: said there, not in a banner of its own.
  const short = props.action.error?.problem.code === "insufficient_points" ? props.action.error.message : undefined;
  return (
    <Card title="Add or deduct points">
      <form noValidate aria-label="Adjust points" onSubmit={(e) => { e.preventDefault(); void props.action.run(); }}>
        <div class="row">
          <NumberField name="points" label="Points (negative to deduct)" value={v.points} error={fe("points") ?? short} required onInput={(points) => props.onChange({ ...v, points })} />
          <TextField name="reason" label="Reason (shown to the member)" value={v.reason} error={fe("reason")} required onInput={(reason) => props.onChange({ ...v, reason })} />
        </div>
        {v.points === undefined || v.points > 0 ? (
          <div class="row">
            <Checkbox name="notify.email" label="Send email" checked={v.email && !!props.contact.email} disabled={!props.contact.email}
              hint={props.contact.email ? undefined : "OFF: no email address"} onChange={(email) => props.onChange({ ...v, email })} />
            <Checkbox name="notify.sms" label="Send SMS" checked={v.sms && !!props.contact.phone} disabled={!props.contact.phone}
              hint={props.contact.phone ? undefined : "OFF: no phone number"} onChange={(sms) => props.onChange({ ...v, sms })} />
          </div>
        ) : <p class="hint">Deductions never notify the member.</p>}
        <ErrorBanner error={short ? undefined : props.action.error} fieldsShown />
        {props.done ? <Notice>{props.done}</Notice> : null}
        <button type="submit" class="primary" disabled={props.action.busy}>Apply</button>
      </form>
    </Card>
  );
}
