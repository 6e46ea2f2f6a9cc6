import { unwrap } from "../api.ts";
import { awardText } from "../award-text.ts";
import { useState } from "preact/hooks";
import { useCan, useSession } from "../session.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { RowActions } from "../ui/row-actions.tsx";
import { Checkbox, NumberField, Select, TextArea, TextField } from "../ui/fields.tsx";
import { JsonRest } from "../ui/json-rest.tsx";
import { useObjectEditor } from "../ui/list-editor.ts";
import { getPath, listText, setPath, textList, type Json } from "../ui/object-path.ts";
import { Card, Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useLoad } from "../ui/use-load.ts";
import { ValidityEditor, type Validity } from "../ui/validity.tsx";
import type { ScreenProps } from "./screen.ts";

interface Rule extends Json { id: string; version: number; name: string; event: string; enabled?: boolean; award: Json }

const MANAGED = ["name", "description", "event", "award", "channels", "timing", "base", "minAmount", "excludeGiftCards", "audience", "validity", "enabled"] as const;
const STRIP = ["id", "version", "createdAt", "updatedAt"];
const BLANK: Json = { name: "", event: "order", award: { type: "per_amount", points: 1, per: 100 }, channels: ["online"], timing: { awardOn: "paid", delayDays: 0 }, audience: { members: true, nonMembers: false }, enabled: true };

export function EarnRulesScreen(_: ScreenProps) {
  const { client, store } = useSession();
  const canEdit = useCan("admin");
  const list = useLoad(() => unwrap(client.GET("/v1/earn-rules", { params: { query: { limit: 500 } } })), []);
  const ed = useObjectEditor({ collection: "/v1/earn-rules", managed: MANAGED, stripOnSave: STRIP, onSaved: list.reload });
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const rules = list.data?.data ?? [];

  return (
    <Page title="Ways to earn" intro="Each way to earn turns an event (an order, a sign-up, a review…) into points."
      actions={canEdit && !ed.form ? <button type="button" class="primary" onClick={() => ed.open(null, BLANK)}>Add a way to earn</button> : null}>
      <ErrorBanner error={list.error ?? ed.remove.error} />
      {ed.form ? <RuleForm ed={ed} canEdit={canEdit} /> : null}
      {list.loading && !list.data ? <Loading /> : rules.length === 0 ? (
        <Empty title="No ways to earn yet">Add one, for example 1 point per dollar on paid orders, or apply a preset program from the command line (<code>pointbook program apply</code>).</Empty>
      ) : (
        <div class="table-wrap">
          <table aria-label="Ways to earn" class="stack">
            <thead><tr><th scope="col">Name</th><th scope="col">Event</th><th scope="col">Award</th><th scope="col">Status</th><th scope="col">Version</th>{canEdit ? <th scope="col"><span class="visually-hidden">Actions</span></th> : null}</tr></thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id} data-rule={r.name}>
                  <th scope="row">{r.name}</th><td data-label="Event"><code>{r.event}</code></td><td data-label="Award">{awardText(r.award, store.currency)}</td>
                  <td data-label="Status">{r.enabled === false ? "off" : "on"}</td><td data-label="Version" class="num">{r.version}</td>
                  {canEdit ? (
                    <RowActions name={r.name} onEdit={() => ed.open(r, BLANK)} onDelete={() => setDeleting(r)} />
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={deleting !== null} title={`Delete “${deleting?.name ?? ""}”?`} confirmLabel="Delete" danger busy={ed.remove.busy}
        onCancel={() => setDeleting(null)}
        onConfirm={async () => { if (deleting && (await ed.remove.run(deleting.id))) setDeleting(null); }}>
        It stops awarding from now on. Points it already awarded stay with the members.
      </ConfirmDialog>
    </Page>
  );
}

function RuleForm({ ed, canEdit }: { ed: ReturnType<typeof useObjectEditor>; canEdit: boolean }) {
  const form = ed.form!;
  const set = (path: string, value: unknown) => ed.setForm(setPath(form, path, value));
  const get = (path: string) => getPath(form, path);
  const fe = ed.save.fieldError;
  const isOrder = form.event === "order";
  const awardType = String(get("award.type") ?? "fixed");
  return (
    <Card title={ed.editingId ? `Edit “${String(form.name)}”` : "New way to earn"}>
      <form noValidate aria-label="Way to earn" onSubmit={(e) => { e.preventDefault(); if (ed.restValid) void ed.save.run(); }}>
        <fieldset disabled={!canEdit}>
          <TextField name="name" label="Name" required value={String(get("name") ?? "")} error={fe("name")} onInput={(v) => set("name", v)} />
          <TextArea name="description" label="Description" rows={2} value={String(get("description") ?? "")} error={fe("description")} onInput={(v) => set("description", v || undefined)} />
          <TextField name="event" label="Event" required value={String(get("event") ?? "")} error={fe("event")} hint="“order” for orders; otherwise the event type your shop sends, such as signed.up or review.posted."
            onInput={(v) => set("event", v)} />
          <div class="row">
            <Select name="award.type" label="Award" value={awardType as "fixed"} error={fe("award.type")}
              options={[{ value: "fixed", label: "A fixed number of points" }, { value: "per_amount", label: "Points per amount spent (orders)" }, { value: "per_unit", label: "Points per unit of an event field" }, { value: "every_nth", label: "Points every Nth time" }]}
              onChange={(t) => set("award", { type: t, points: get("award.points") ?? 1, ...(t === "per_amount" ? { per: 100 } : t === "per_unit" ? { per: 1, field: "properties.count" } : t === "every_nth" ? { every: 5 } : {}) })} />
            <NumberField name="award.points" label="Points" min={1} value={get("award.points") as number | undefined} error={fe("award.points")} onInput={(v) => set("award.points", v)} />
            {awardType === "per_amount" || awardType === "per_unit" ? (
              <NumberField name="award.per" label={awardType === "per_amount" ? "Per (minor units, e.g. 100 = $1)" : "Per"} min={1} value={get("award.per") as number | undefined} error={fe("award.per")} onInput={(v) => set("award.per", v)} />
            ) : null}
            {awardType === "per_unit" ? <TextField name="award.field" label="Field" value={String(get("award.field") ?? "")} error={fe("award.field")} onInput={(v) => set("award.field", v)} /> : null}
            {awardType === "every_nth" ? <NumberField name="award.every" label="Every" min={1} value={get("award.every") as number | undefined} error={fe("award.every")} onInput={(v) => set("award.every", v)} /> : null}
          </div>
          {isOrder ? (
            <>
              <div class="row">
                <TextField name="channels" label="Channels (comma-separated)" value={listText(get("channels"))} error={fe("channels")} onInput={(v) => set("channels", textList(v))} />
                <Select name="timing.awardOn" label="Credited when the order is" value={String(get("timing.awardOn") ?? "paid") as "paid"} error={fe("timing.awardOn")}
                  options={[{ value: "placed", label: "placed" }, { value: "paid", label: "paid" }, { value: "fulfilled", label: "fulfilled" }, { value: "delivered", label: "delivered" }]}
                  onChange={(v) => set("timing.awardOn", v)} />
                <NumberField name="timing.delayDays" label="Pending for (days)" min={0} value={get("timing.delayDays") as number | undefined} error={fe("timing.delayDays")} onInput={(v) => set("timing.delayDays", v ?? 0)} />
              </div>
              <div class="row">
                <Select name="base" label="Counted on" value={String(get("base") ?? "subtotal") as "subtotal"} error={fe("base")}
                  options={[{ value: "subtotal", label: "the lines after refunds" }, { value: "net", label: "the lines less order discounts and points spent" }]} onChange={(v) => set("base", v)} />
                <NumberField name="minAmount" label="Minimum order (minor units)" min={0} value={get("minAmount") as number | undefined} error={fe("minAmount")} onInput={(v) => set("minAmount", v)} />
                <Checkbox name="excludeGiftCards" label="Gift cards earn nothing" checked={get("excludeGiftCards") === true} onChange={(v) => set("excludeGiftCards", v || undefined)} />
              </div>
            </>
          ) : null}
          <fieldset class="group">
            <legend>Who earns</legend>
            <Checkbox name="audience.members" label="Members" checked={get("audience.members") !== false} onChange={(v) => set("audience.members", v)} />
            <Checkbox name="audience.nonMembers" label="Customers who are not members" checked={get("audience.nonMembers") === true} onChange={(v) => set("audience.nonMembers", v)} />
            <TextField name="audience.tiers" label="Only these tiers (codes, comma-separated; empty: all)" value={listText(get("audience.tiers"))} error={fe("audience.tiers")} onInput={(v) => set("audience.tiers", textList(v))} />
          </fieldset>
          <Checkbox name="ownValidity" label="This way to earn has its own validity" checked={get("validity") !== undefined}
            onChange={(v) => set("validity", v ? { type: "rolling", months: 12 } : undefined)} />
          {get("validity") !== undefined ? <ValidityEditor name="validity" label="Points from this way to earn are valid" value={get("validity") as Validity} fieldError={fe} onChange={(v) => set("validity", v)} /> : null}
          <Checkbox name="enabled" label="On" checked={get("enabled") !== false} onChange={(v) => set("enabled", v)} />
          <JsonRest initial={form} managed={MANAGED} resetKey={ed.resetKey} onChange={ed.setRest} onValidity={ed.setRestValid}
            error={ed.save.error?.problem.errors?.filter((e) => !MANAGED.includes(e.path.split(".")[0] as (typeof MANAGED)[number])).map((e) => `${e.path}: ${e.message}`).join("; ") || undefined} />
          <ErrorBanner error={ed.save.error} fieldsShown />
          <div class="actions">
            <button type="submit" class="primary" disabled={ed.save.busy || !ed.restValid}>{ed.editingId ? "Save changes" : "Add way to earn"}</button>
            <button type="button" class="secondary" onClick={ed.close}>Cancel</button>
          </div>
        </fieldset>
      </form>
    </Card>
  );
}
