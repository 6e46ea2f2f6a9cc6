import { useState } from "preact/hooks";
import { newIdempotencyKey } from "../api.ts";
import { useSession } from "../session.ts";
import { merge, restOf } from "./json-rest.tsx";
import type { Json } from "./object-path.ts";
import { useAction } from "./use-action.ts";

/**
 * The editing state shared by the rules and methods screens: the object being edited (form
 * fields write into it), the JSON of the settings without a field, and save and delete calls
 * (POST for a new one, PATCH for an existing one).
 */
export function useObjectEditor(opts: { collection: string; managed: readonly string[]; stripOnSave: readonly string[]; onSaved(): void }) {
  const { api } = useSession();
  const [form, setForm] = useState<Json | null>(null);
  const [rest, setRest] = useState<Json>({});
  const [restValid, setRestValid] = useState(true);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [resetKey, setResetKey] = useState("");

  const open = (item: Json | null, blank: Json) => {
    const value = item ?? blank;
    setForm(value);
    setRest(restOf(value, opts.managed));
    setEditingId(item ? String(item.id) : null);
    setResetKey(`${item ? item.id : "new"}-${Date.now()}`);
    save.clear();
  };
  const close = () => {
    setForm(null);
    setEditingId(null);
  };
  const save = useAction(async () => {
    if (!form) return;
    const body = Object.fromEntries(Object.entries(merge(form, opts.managed, rest)).filter(([k]) => !opts.stripOnSave.includes(k)));
    if (editingId) await api.patch(`${opts.collection}/${encodeURIComponent(editingId)}`, body);
    else await api.post(opts.collection, body, { idempotencyKey: newIdempotencyKey() });
    close();
    opts.onSaved();
  });
  const remove = useAction(async (id: string) => {
    await api.del(`${opts.collection}/${encodeURIComponent(id)}`);
    opts.onSaved();
  });
  return { form, setForm, rest, setRest, restValid, setRestValid, editingId, resetKey, open, close, save, remove };
}
