import { unwrap } from "../api.ts";
import { useState } from "preact/hooks";
import { money, points } from "../format.ts";
import { useCan, useSession } from "../session.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { RowActions } from "../ui/row-actions.tsx";
import { Checkbox, NumberField, Select, TextArea, TextField } from "../ui/fields.tsx";
import { JsonRest } from "../ui/json-rest.tsx";
import { useObjectEditor } from "../ui/list-editor.ts";
import { getPath, listText, setPath, textList, type Json } from "../ui/object-path.ts";
import { Card, Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

type MethodType = "cashback" | "catalog" | "coupon" | "product";
interface Method extends Json { id: string; type: MethodType; name: string; points: number; enabled?: boolean }

const MANAGED_BY_TYPE: Record<MethodType, readonly string[]> = {
  cashback: ["type", "name", "description", "points", "amount", "minSubtotal", "minBalance", "maxPointsPerOrder", "channels", "enabled"],
  catalog: ["type", "name", "description", "points", "grant", "channels", "enabled"],
  coupon: ["type", "name", "description", "points", "discount", "usableBy", "validDays", "channels", "enabled"],
  product: ["type", "name", "description", "points", "product", "usableBy", "validDays", "channels", "enabled"],
};
const STRIP = ["id", "createdAt", "updatedAt"];
const BLANKS: Record<MethodType, Json> = {
  cashback: { type: "cashback", name: "", points: 100, amount: 100, channels: ["online"], enabled: true },
  catalog: { type: "catalog", name: "", points: 100, grant: { sku: "", units: 1 }, channels: ["online"], enabled: true },
  coupon: { type: "coupon", name: "", points: 100, discount: { type: "fixed", amount: 500 }, usableBy: "owner", validDays: 30, channels: ["online"], enabled: true },
  product: { type: "product", name: "", points: 100, product: { sku: "" }, usableBy: "owner", validDays: 30, channels: ["online"], enabled: true },
};
const TYPE_LABEL: Record<MethodType, string> = { cashback: "Points as money at checkout", catalog: "A pack or credits", coupon: "A discount code", product: "A free product" };

export function RedeemMethodsScreen(_: ScreenProps) {
  const { client, store } = useSession();
  const canEdit = useCan("admin");
  const list = useLoad(() => unwrap(client.GET("/v1/redeem-methods", { params: { query: { limit: 500 } } })), []);
  const [type, setType] = useState<MethodType>("cashback");
  const managed = MANAGED_BY_TYPE[type];
  const ed = useObjectEditor({ collection: "/v1/redeem-methods", managed, stripOnSave: STRIP, onSaved: list.reload });
  const [deleting, setDeleting] = useState<Method | null>(null);
  const methods = list.data?.data ?? [];
  const worth = (m: Method) => (m.type === "cashback" ? `${points(m.points)} points = ${money(Number(m.amount), store.currency)}` : `${points(m.points)} points`);
  const openFor = (m: Method | null, t: MethodType) => {
    setType(m ? m.type : t);
    ed.open(m, BLANKS[m ? m.type : t]);
  };

  return (
    <Page title="Ways to redeem" intro="What members can spend points on: money off at checkout, packs and credits, discount codes, free products."
      actions={canEdit && !ed.form ? (
        <div class="row">
          <Select name="newType" label="Kind" value={type} options={(Object.keys(TYPE_LABEL) as MethodType[]).map((t) => ({ value: t, label: TYPE_LABEL[t] }))} onChange={setType} />
          <button type="button" class="primary" onClick={() => openFor(null, type)}>Add a way to redeem</button>
        </div>
      ) : null}>
      <ErrorBanner error={list.error ?? ed.remove.error} />
      {ed.form ? <MethodForm ed={ed} managed={managed} canEdit={canEdit} /> : null}
      {list.loading && !list.data ? <Loading /> : methods.length === 0 ? (
        <Empty title="No ways to redeem yet">Add one so members have something to spend points on, for example 100 points = $1 off at checkout.</Empty>
      ) : (
        <div class="table-wrap">
          <table aria-label="Ways to redeem" class="stack">
            <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Costs</th><th scope="col">Status</th>{canEdit ? <th scope="col"><span class="visually-hidden">Actions</span></th> : null}</tr></thead>
            <tbody>
              {methods.map((m) => (
                <tr key={m.id} data-method={m.name}>
                  <th scope="row">{m.name}</th><td data-label="Kind">{TYPE_LABEL[m.type] ?? m.type}</td><td data-label="Costs">{worth(m)}</td><td data-label="Status">{m.enabled === false ? "off" : "on"}</td>
                  {canEdit ? (
                    <RowActions name={m.name} onEdit={() => openFor(m, m.type)} onDelete={() => setDeleting(m)} />
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={deleting !== null} title={`Delete “${deleting?.name ?? ""}”?`} confirmLabel="Delete" danger busy={ed.remove.busy}
        onCancel={() => setDeleting(null)} onConfirm={async () => { if (deleting && (await ed.remove.run(deleting.id))) setDeleting(null); }}>
        Members can no longer redeem it. What they already redeemed (codes, packs) stays valid.
      </ConfirmDialog>
    </Page>
  );
}

function MethodForm({ ed, managed, canEdit }: { ed: ReturnType<typeof useObjectEditor>; managed: readonly string[]; canEdit: boolean }) {
  const form = ed.form!;
  const set = (path: string, value: unknown) => ed.setForm(setPath(form, path, value));
  const get = (path: string) => getPath(form, path);
  const num = (path: string) => get(path) as number | undefined;
  const fe = ed.save.fieldError;
  const type = form.type as MethodType;
  return (
    <Card title={ed.editingId ? `Edit “${String(form.name)}”` : `New: ${TYPE_LABEL[type]}`}>
      <form noValidate aria-label="Way to redeem" onSubmit={(e) => { e.preventDefault(); if (ed.restValid) void ed.save.run(); }}>
        <fieldset disabled={!canEdit}>
          <TextField name="name" label="Name" required value={String(get("name") ?? "")} error={fe("name")} onInput={(v) => set("name", v)} />
          <TextArea name="description" label="Description" rows={2} value={String(get("description") ?? "")} error={fe("description")} onInput={(v) => set("description", v || undefined)} />
          <div class="row">
            <NumberField name="points" label="Points" min={1} value={num("points")} error={fe("points")} onInput={(v) => set("points", v)} />
            {type === "cashback" ? <NumberField name="amount" label="Are worth (minor units)" min={1} value={num("amount")} error={fe("amount")} onInput={(v) => set("amount", v)} /> : null}
            <TextField name="channels" label="Channels (comma-separated)" value={listText(get("channels"))} error={fe("channels")} onInput={(v) => set("channels", textList(v))} />
          </div>
          {type === "cashback" ? (
            <div class="row">
              <NumberField name="minSubtotal" label="Minimum subtotal (minor units)" min={0} value={num("minSubtotal")} error={fe("minSubtotal")} onInput={(v) => set("minSubtotal", v)} />
              <NumberField name="minBalance" label="Minimum balance to redeem" min={0} value={num("minBalance")} error={fe("minBalance")} onInput={(v) => set("minBalance", v)} />
              <NumberField name="maxPointsPerOrder" label="At most points per order" min={1} value={num("maxPointsPerOrder")} error={fe("maxPointsPerOrder")} onInput={(v) => set("maxPointsPerOrder", v)} />
            </div>
          ) : null}
          {type === "catalog" ? (
            <div class="row">
              <TextField name="grant.sku" label="Grants (sku)" value={String(get("grant.sku") ?? "")} error={fe("grant.sku")} onInput={(v) => set("grant.sku", v)} />
              <NumberField name="grant.units" label="Units" min={1} value={num("grant.units")} error={fe("grant.units")} onInput={(v) => set("grant.units", v)} />
              <NumberField name="grant.validMonths" label="Valid for (months; empty: no limit)" min={1} value={num("grant.validMonths")} error={fe("grant.validMonths")} onInput={(v) => set("grant.validMonths", v)} />
            </div>
          ) : null}
          {type === "coupon" ? (
            <div class="row">
              <Select name="discount.type" label="Discount" value={String(get("discount.type") ?? "fixed") as "fixed"} error={fe("discount.type")}
                options={[{ value: "fixed", label: "An amount off" }, { value: "percent", label: "A percentage off" }, { value: "free_shipping", label: "Free shipping" }]}
                onChange={(t) => set("discount", t === "fixed" ? { type: t, amount: 500 } : t === "percent" ? { type: t, percent: 10 } : { type: t })} />
              {get("discount.type") === "fixed" ? <NumberField name="discount.amount" label="Amount (minor units)" min={1} value={num("discount.amount")} error={fe("discount.amount")} onInput={(v) => set("discount.amount", v)} /> : null}
              {get("discount.type") === "percent" ? <NumberField name="discount.percent" label="Percent" min={1} value={num("discount.percent")} error={fe("discount.percent")} onInput={(v) => set("discount.percent", v)} /> : null}
            </div>
          ) : null}
          {type === "product" ? (
            <div class="row">
              <TextField name="product.sku" label="Product (sku)" value={String(get("product.sku") ?? "")} error={fe("product.sku")} onInput={(v) => set("product.sku", v)} />
              <TextField name="product.name" label="Product name" value={String(get("product.name") ?? "")} error={fe("product.name")} onInput={(v) => set("product.name", v || undefined)} />
            </div>
          ) : null}
          {type === "coupon" || type === "product" ? (
            <div class="row">
              <Select name="usableBy" label="Usable by" value={String(get("usableBy") ?? "owner") as "owner"} error={fe("usableBy")}
                options={[{ value: "owner", label: "The member who redeemed it" }, { value: "anyone", label: "Anyone with the code" }]} onChange={(v) => set("usableBy", v)} />
              <NumberField name="validDays" label="Code valid for (days)" min={1} value={num("validDays")} error={fe("validDays")} onInput={(v) => set("validDays", v)} />
            </div>
          ) : null}
          <Checkbox name="enabled" label="On" checked={get("enabled") !== false} onChange={(v) => set("enabled", v)} />
          <JsonRest initial={form} managed={managed} resetKey={ed.resetKey} onChange={ed.setRest} onValidity={ed.setRestValid} />
          <ErrorBanner error={ed.save.error} fieldsShown />
          <div class="actions">
            <button type="submit" class="primary" disabled={ed.save.busy || !ed.restValid}>{ed.editingId ? "Save changes" : "Add way to redeem"}</button>
            <button type="button" class="secondary" onClick={ed.close}>Cancel</button>
          </div>
        </fieldset>
      </form>
    </Card>
  );
}
