import { useState } from "preact/hooks";
import { newIdempotencyKey, unwrap } from "../api.ts";
import { useCan, useSession } from "../session.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { RowActions } from "../ui/row-actions.tsx";
import { NumberField, TextArea, TextField } from "../ui/fields.tsx";
import { Card, Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

interface Tier { code: string; name: string; rank: number; multiplier?: number; qualification?: unknown }

export function TiersScreen(_: ScreenProps) {
  const { api, client } = useSession();
  const canEdit = useCan("admin");
  const list = useLoad(() => unwrap(client.GET("/v1/tiers")), []);
  const [editing, setEditing] = useState<{ original: Tier | null; tier: Tier; qualification: string } | null>(null);
  const [deleting, setDeleting] = useState<Tier | null>(null);
  const save = useAction(async () => {
    if (!editing) return;
    let qualification: unknown = null;
    if (editing.qualification.trim() !== "") qualification = JSON.parse(editing.qualification);
    const body = { name: editing.tier.name, rank: editing.tier.rank, multiplier: editing.tier.multiplier, qualification };
    if (editing.original) await api.patch(`/v1/tiers/${encodeURIComponent(editing.original.code)}`, body);
    else await api.post("/v1/tiers", { code: editing.tier.code, ...body }, { idempotencyKey: newIdempotencyKey() });
    setEditing(null);
    list.reload();
  });
  const remove = useAction(async (code: string) => {
    await unwrap(client.DELETE("/v1/tiers/{code}", { params: { path: { code } } }));
    list.reload();
  });
  const tiers = list.data?.data ?? [];
  const open = (t: Tier | null) => {
    save.clear();
    setEditing({ original: t, tier: t ?? { code: "", name: "", rank: tiers.length + 1, multiplier: 1 }, qualification: t?.qualification ? JSON.stringify(t.qualification, null, 2) : "" });
  };
  const fe = save.fieldError;
  return (
    <Page title="Tiers" intro="Levels members reach by points earned or money spent, or that you set by hand; a tier can multiply what its members earn."
      actions={canEdit && !editing ? <button type="button" class="primary" onClick={() => open(null)}>Add a tier</button> : null}>
      <ErrorBanner error={list.error ?? remove.error} />
      {editing ? (
        <Card title={editing.original ? `Edit ${editing.original.name}` : "New tier"}>
          <form noValidate aria-label="Tier" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
            <div class="row">
              <TextField name="code" label="Code" required disabled={editing.original !== null} value={editing.tier.code} error={fe("code")} onInput={(code) => setEditing({ ...editing, tier: { ...editing.tier, code } })} />
              <TextField name="name" label="Name" required value={editing.tier.name} error={fe("name")} onInput={(name) => setEditing({ ...editing, tier: { ...editing.tier, name } })} />
              <NumberField name="rank" label="Rank (higher is better)" min={0} value={editing.tier.rank} error={fe("rank")} onInput={(rank) => setEditing({ ...editing, tier: { ...editing.tier, rank: rank ?? 0 } })} />
              <NumberField name="multiplier" label="Earning multiplier" min={0} step={0.1} value={editing.tier.multiplier} error={fe("multiplier")} onInput={(multiplier) => setEditing({ ...editing, tier: { ...editing.tier, multiplier } })} />
            </div>
            <TextArea name="qualification" label="Qualification (JSON; empty: assigned by hand)" mono rows={4} value={editing.qualification} error={fe("qualification")}
              hint='For example {"metric": "points_earned", "threshold": 1000, "window": {"type": "rolling_months", "months": 12}}'
              onInput={(qualification) => setEditing({ ...editing, qualification })} />
            <ErrorBanner error={save.error} fieldsShown />
            <div class="actions">
              <button type="submit" class="primary" disabled={save.busy}>{editing.original ? "Save changes" : "Add tier"}</button>
              <button type="button" class="secondary" onClick={() => setEditing(null)}>Cancel</button>
            </div>
          </form>
        </Card>
      ) : null}
      {list.loading && !list.data ? <Loading /> : tiers.length === 0 ? (
        <Empty title="No tiers">A program works without tiers. Add them to reward your best customers with a level and a multiplier.</Empty>
      ) : (
        <div class="table-wrap">
          <table aria-label="Tiers">
            <thead><tr><th scope="col">Code</th><th scope="col">Name</th><th scope="col" class="num">Rank</th><th scope="col" class="num">Multiplier</th><th scope="col">Reached by</th>{canEdit ? <th scope="col"><span class="visually-hidden">Actions</span></th> : null}</tr></thead>
            <tbody>
              {tiers.map((t) => (
                <tr key={t.code}>
                  <th scope="row"><code>{t.code}</code></th><td>{t.name}</td><td class="num">{t.rank}</td><td class="num">{t.multiplier ?? 1}</td>
                  <td>{t.qualification ? <code>{JSON.stringify(t.qualification)}</code> : "set by hand"}</td>
                  {canEdit ? (
                    <RowActions name={t.name} onEdit={() => open(t)} onDelete={() => setDeleting(t)} />
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={deleting !== null} title={`Delete the tier “${deleting?.name ?? ""}”?`} confirmLabel="Delete" danger busy={remove.busy}
        onCancel={() => setDeleting(null)} onConfirm={async () => { if (deleting && (await remove.run(deleting.code))) setDeleting(null); }}>
        Members in it lose the tier at the next re-check.
      </ConfirmDialog>
    </Page>
  );
}
