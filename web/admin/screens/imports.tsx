import { useEffect, useState } from "preact/hooks";
import { newIdempotencyKey, unwrap } from "../api.ts";
import { dateTime, points } from "../format.ts";
import { useSession } from "../session.ts";
import { Checkbox, Select } from "../ui/fields.tsx";
import { Card, Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

type Kind = "members" | "balances" | "orders";
interface ImportView {
  id: string; kind: Kind; status: "running" | "done" | "failed"; fileName: string | null; total: number | null; processed: number; imported: number; rejected: number;
  errors?: Array<{ line: number; message: string }>; errorCount?: number; bytes: { read: number; total: number | null }; failure: string | null; createdAt: string; finishedAt: string | null;
}

const COLUMNS: Record<Kind, string> = {
  members: "memberId,email,phone,birthday,tier,tags,isMember,language",
  balances: "memberId,points,expiresAt,reason",
  orders: "orderId,memberId,channel,currency,placedAt,paidAt,fulfilledAt,deliveredAt,canceledAt,sku,quantity,amount,giftCard,discounts,shipping",
};

export function ImportsScreen(_: ScreenProps) {
  // The upload itself sends the file's bytes as text/csv through the path-based call; reads are typed.
  const { api, client, store } = useSession();
  const list = useLoad(() => unwrap(client.GET("/v1/imports", { params: { query: { limit: 20 } } })), []);
  const [kind, setKind] = useState<Kind>("balances");
  const [award, setAward] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [watching, setWatching] = useState<string | null>(null);
  const upload = useAction(async () => {
    if (!file) return;
    const query = new URLSearchParams({ kind, fileName: file.name.slice(0, 200), ...(kind === "orders" && award ? { award: "true" } : {}) });
    const res = await api.post<{ id: string }>(`/v1/imports?${query}`, file, { contentType: "text/csv", idempotencyKey: newIdempotencyKey() });
    setWatching(res.id);
    list.reload();
  });
  return (
    <Page title="Imports" intro="Bring members, opening balances and past orders from another system, as CSV files. Large files run in the background; a failed row is reported by its line while the others are imported.">
      <Card title="Import a file">
        <form aria-label="Import a file" onSubmit={(e) => { e.preventDefault(); void upload.run(); }}>
          <div class="row">
            <Select name="kind" label="What the file holds" value={kind} onChange={setKind}
              options={[{ value: "members", label: "Members" }, { value: "balances", label: "Opening balances" }, { value: "orders", label: "Past orders (one row per line item)" }]} />
            <div class="field">
              <label for="import-file">CSV file</label>
              <input id="import-file" name="file" type="file" accept=".csv,text/csv" required onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
            </div>
          </div>
          <p class="hint">Columns: <code>{COLUMNS[kind]}</code></p>
          {kind === "orders" ? <Checkbox name="award" label="Award points for these orders (normally past orders only count for tiers and returns)" checked={award} onChange={setAward} /> : null}
          <ErrorBanner error={upload.error} />
          <button type="submit" class="primary" disabled={upload.busy || !file}>{upload.busy ? "Uploading…" : "Import"}</button>
        </form>
      </Card>
      {watching ? <Progress id={watching} onDone={list.reload} /> : null}
      <Card title="Earlier imports">
        <ErrorBanner error={list.error} />
        {!list.data ? <Loading /> : list.data.data.length === 0 ? <Empty title="No imports yet">Imported files are listed here with what came of them.</Empty> : (
          <div class="table-wrap"><table aria-label="Imports">
            <thead><tr><th scope="col">Started</th><th scope="col">Kind</th><th scope="col">File</th><th scope="col">Status</th><th scope="col" class="num">Imported</th><th scope="col" class="num">Rejected</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.data.data.map((i) => (
                <tr key={i.id}>
                  <td>{dateTime(i.createdAt, store.timezone)}</td><td>{i.kind}</td><td>{i.fileName ?? "—"}</td><td>{i.status}</td>
                  <td class="num">{points(i.imported)}</td><td class="num">{points(i.rejected)}</td>
                  <td><button type="button" class="secondary" onClick={() => setWatching(i.id)}>Details</button></td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </Card>
    </Page>
  );
}

/** Follows an import until it ends, once a second. */
function Progress({ id, onDone }: { id: string; onDone(): void }) {
  const { client } = useSession();
  const [tick, setTick] = useState(0);
  const imp = useLoad(() => unwrap(client.GET("/v1/imports/{id}", { params: { path: { id } } })), [id, tick]);
  const running = imp.data?.status === "running";
  useEffect(() => {
    if (!imp.data) return;
    if (!running) {
      onDone();
      return;
    }
    const t = setTimeout(() => setTick((n) => n + 1), 1_000);
    return () => clearTimeout(t);
  }, [imp.data]);
  if (!imp.data) return imp.error ? <ErrorBanner error={imp.error} /> : <Loading />;
  const i = imp.data;
  const total = i.total ?? null;
  const percent = total ? Math.round((i.processed / Math.max(1, total)) * 100) : i.bytes.total ? Math.round((i.bytes.read / Math.max(1, i.bytes.total)) * 100) : 0;
  return (
    <Card title={`Import ${i.fileName ?? i.id}`}>
      <p role="status" data-import-status={i.status}>
        {i.status === "running" ? "Importing…" : i.status === "done" ? "Done." : `Failed: ${i.failure ?? "see the errors below"}`} {points(i.processed)}{total ? ` of ${points(total)}` : ""} rows, {points(i.imported)} imported, {points(i.rejected)} rejected.
      </p>
      <progress max={100} value={i.status === "done" ? 100 : percent} aria-label="Import progress">{percent}%</progress>
      {i.errors && i.errors.length > 0 ? (
        <div class="table-wrap">
          <table aria-label="Rejected rows">
            <thead><tr><th scope="col" class="num">Line</th><th scope="col">Why</th></tr></thead>
            <tbody>{i.errors.map((e) => <tr key={e.line}><td class="num">{e.line}</td><td>{e.message}</td></tr>)}</tbody>
          </table>
          {(i.errorCount ?? 0) > i.errors.length ? <p class="hint">The first {i.errors.length} of {points(i.errorCount ?? 0)} rejected rows.</p> : null}
        </div>
      ) : null}
    </Card>
  );
}
