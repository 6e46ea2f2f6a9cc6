import { useState } from "preact/hooks";
import { newIdempotencyKey, unwrap } from "../api.ts";
import { dateTime } from "../format.ts";
import { useSession } from "../session.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/fields.tsx";
import { Card, Empty, ErrorBanner, Loading, Notice, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import { listText, textList } from "../ui/object-path.ts";
import type { ScreenProps } from "./screen.ts";

interface Endpoint { id: string; url: string; events: string[]; description: string | null; enabled: boolean; createdAt: string }
interface Delivery { id: string; eventId: string; type: string; status: string; attempts: number; lastStatus: number | null; lastError: string | null; nextAttemptAt: string | null; deliveredAt: string | null; createdAt: string }

export function WebhooksScreen(_: ScreenProps) {
  const { client } = useSession();
  const list = useLoad(() => unwrap(client.GET("/v1/webhook-endpoints", { params: { query: { limit: 500 } } })), []);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Endpoint | null>(null);
  const create = useAction(async () => {
    const e = await unwrap(client.POST("/v1/webhook-endpoints", { params: { header: { "idempotency-key": newIdempotencyKey() } }, body: { url, events: (textList(events) ?? []) as Array<"*"> /* typed by hand: the API checks each name (422 naming events) */ } }));
    setSecret(e.secret);
    setUrl("");
    list.reload();
  });
  const remove = useAction(async (id: string) => {
    await unwrap(client.DELETE("/v1/webhook-endpoints/{id}", { params: { path: { id } } }));
    list.reload();
  });
  const endpoints = list.data?.data ?? [];
  return (
    <Page title="Webhooks" intro="Pointbook tells your systems when points move, tiers change or points are about to expire, signed with Standard Webhooks.">
      <Card title="New endpoint">
        <form class="row" noValidate aria-label="New webhook endpoint" onSubmit={(e) => { e.preventDefault(); setSecret(null); void create.run(); }}>
          <TextField name="url" label="URL (https)" required value={url} error={create.fieldError("url")} onInput={setUrl} />
          <TextField name="events" label="Events (comma-separated; * for all)" value={events} error={create.fieldError("events")} onInput={setEvents} />
          <button type="submit" class="primary" disabled={create.busy}>Add endpoint</button>
        </form>
        <ErrorBanner error={create.error} fieldsShown />
        {secret ? <Notice>Signing secret, shown this once: <code>{secret}</code></Notice> : null}
      </Card>
      <ErrorBanner error={list.error ?? remove.error} />
      {!list.data ? <Loading /> : endpoints.length === 0 ? <Empty title="No endpoints">Add one to receive points events in your own systems.</Empty> : endpoints.map((e) => (
        <Card key={e.id} title={e.url}>
          <p>Events: {listText(e.events)} · {e.enabled ? "on" : "off"}</p>
          <div class="actions">
            <button type="button" class="secondary" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>{open === e.id ? "Hide deliveries" : "Deliveries"}</button>
            <button type="button" class="danger" aria-label={`Delete ${e.url}`} onClick={() => setDeleting(e)}>Delete</button>
          </div>
          {open === e.id ? <Deliveries endpointId={e.id} /> : null}
        </Card>
      ))}
      <ConfirmDialog open={deleting !== null} title="Delete this endpoint?" confirmLabel="Delete" danger busy={remove.busy}
        onCancel={() => setDeleting(null)} onConfirm={async () => { if (deleting && (await remove.run(deleting.id))) setDeleting(null); }}>
        Nothing more is sent to {deleting?.url}.
      </ConfirmDialog>
    </Page>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const { client, store } = useSession();
  const list = useLoad(() => unwrap(client.GET("/v1/webhook-endpoints/{id}/deliveries", { params: { path: { id: endpointId }, query: { limit: 50 } } })), [endpointId]);
  const replay = useAction(async (id: string) => {
    await unwrap(client.POST("/v1/webhook-deliveries/{id}/replay", { params: { path: { id } } }));
    list.reload();
  });
  if (!list.data) return list.error ? <ErrorBanner error={list.error} /> : <Loading />;
  if (list.data.data.length === 0) return <p>Nothing sent yet.</p>;
  return (
    <div class="table-wrap">
      <ErrorBanner error={replay.error} />
      <table aria-label="Deliveries">
        <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last answer</th><th scope="col">When</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {list.data.data.map((d) => (
            <tr key={d.id}>
              <td>{d.type}</td><td>{d.status}</td><td class="num">{d.attempts}</td><td>{d.lastStatus ?? d.lastError ?? "—"}</td>
              <td>{dateTime(d.deliveredAt ?? d.createdAt, store.timezone)}</td>
              <td><button type="button" class="secondary" disabled={replay.busy} onClick={() => void replay.run(d.id)}>Send again</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
