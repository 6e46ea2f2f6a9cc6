import { unwrap } from "../api.ts";
import { useState } from "preact/hooks";
import { dateTime } from "../format.ts";
import { useSession } from "../session.ts";
import { Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

interface AuditRecord { id: string; at: string; actor: string; action: string; entityType: string; entityId: string; before: unknown; after: unknown }

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));

/** What changed between two JSON values, as `field: before → after` lines. */
export function changes(before: unknown, after: unknown, prefix = ""): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  // Made or deleted: the record's own fields, one a line, rather than one long JSON blob.
  if ((before === null || before === undefined) && isObj(after)) return fields(after, prefix);
  if (isObj(before) && (after === null || after === undefined)) return fields(before, prefix);
  if (isObj(before) && isObj(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].flatMap((k) => changes(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix || "value"}: ${show(before)} → ${show(after)}`];
}

/** Every set field of a record as `field: value` (nested objects by their dotted path; empty ones left out). */
function fields(value: Record<string, unknown>, prefix: string): string[] {
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0)) return [];
    return isObj(v) ? fields(v, path) : [`${path}: ${show(v)}`];
  });
}

const SHOWN = 12;

export function AuditLogScreen(_: ScreenProps) {
  const { client, store, key } = useSession();
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const page = useLoad(() => { const cursor = cursors.at(-1); return unwrap(client.GET("/v1/audit-log", { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })); }, [cursors.length]);
  const rows = page.data?.data ?? [];
  return (
    <Page title="Audit log" intro="Every change to the program's settings, ways to earn and redeem, tiers, keys and connections: who, when, and what changed.">
      <ErrorBanner error={page.error} />
      {page.loading && !page.data ? <Loading /> : rows.length === 0 ? <Empty title="Nothing changed yet">Changes to settings appear here as they are made.</Empty> : (
        <div class="table-wrap">
          <table aria-label="Audit log" class="stack">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col" class="wide">Changes</th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-action={r.action}>
                  <td data-label="When" class="nowrap">{dateTime(r.at, store.timezone)}</td>
                  <td data-label="Who" class="nowrap"><code>{r.actor}</code>{r.actor === key.id ? " (you)" : ""}</td>
                  <td data-label="What">{r.action}<br /><code class="small">{r.entityId}</code></td>
                  <td data-label="Changes" class="block"><ChangeList lines={changes(r.before, r.after)} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions">
        {cursors.length > 1 ? <button type="button" class="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button> : null}
        {page.data?.nextCursor ? <button type="button" class="secondary" onClick={() => setCursors([...cursors, page.data!.nextCursor!])}>Older</button> : null}
      </div>
    </Page>
  );
}

function ChangeList({ lines }: { lines: string[] }) {
  return (
    <ul class="changes">
      {lines.slice(0, SHOWN).map((c) => <li key={c}>{c}</li>)}
      {lines.length > SHOWN ? <li class="hint">and {lines.length - SHOWN} more</li> : null}
    </ul>
  );
}
