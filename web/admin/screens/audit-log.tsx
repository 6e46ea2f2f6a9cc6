import { useState } from "preact/hooks";
import { dateTime } from "../format.ts";
import { useSession } from "../session.ts";
import { Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

interface AuditRecord { id: string; at: string; actor: string; action: string; entityType: string; entityId: string; before: unknown; after: unknown }

/** What changed between two JSON values, as `field: before → after` lines. */
function changes(before: unknown, after: unknown, prefix = ""): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].flatMap((k) => changes(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));
  return [`${prefix || "value"}: ${show(before)} → ${show(after)}`];
}

export function AuditLogScreen(_: ScreenProps) {
  const { api, store, key } = useSession();
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const page = useLoad(() => api.get<{ data: AuditRecord[]; nextCursor: string | null }>("/v1/audit-log", { limit: 50, cursor: cursors.at(-1) }), [cursors.length]);
  const rows = page.data?.data ?? [];
  return (
    <Page title="Audit log" intro="Every change to the program's settings, ways to earn and redeem, tiers, keys and connections: who, when, and what changed.">
      <ErrorBanner error={page.error} />
      {page.loading && !page.data ? <Loading /> : rows.length === 0 ? <Empty title="Nothing changed yet">Changes to settings appear here as they are made.</Empty> : (
        <div class="table-wrap">
          <table aria-label="Audit log">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Changes</th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-action={r.action}>
                  <td>{dateTime(r.at, store.timezone)}</td>
                  <td><code>{r.actor}</code>{r.actor === key.id ? " (you)" : ""}</td>
                  <td>{r.action} <code>{r.entityId}</code></td>
                  <td><ul class="changes">{changes(r.before, r.after).slice(0, 12).map((c) => <li key={c}>{c}</li>)}</ul></td>
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
