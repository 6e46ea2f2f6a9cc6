/**
 * The two controls the simulator needs that the shared fields do not have: a calendar date and a
 * percentage with decimals. Same markup as ui/fields.tsx (label, hint, the API's message tied to
 * the control with aria-describedby), so they look and read alike.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useState } from "preact/hooks";

interface Common {
  label: string;
  /** The API field this control edits (its errors are shown here; also used in tests). */
  name: string;
  error?: string;
  hint?: string;
  disabled?: boolean;
}

function Frame(props: Common & { id: string; children: ComponentChildren }) {
  return (
    <div class={`field${props.error ? " invalid" : ""}`} data-field={props.name}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !props.error ? <p class="hint" id={`${props.id}-hint`}>{props.hint}</p> : null}
      {props.error ? <p class="error" id={`${props.id}-error`} role="alert">{props.error}</p> : null}
    </div>
  );
}

const describedBy = (id: string, p: Common) => (p.error ? `${id}-error` : p.hint ? `${id}-hint` : undefined);

export function DateField(p: Common & { value: string; onInput(v: string): void }) {
  const id = useId();
  return (
    <Frame {...p} id={id}>
      <input id={id} name={p.name} type="date" value={p.value} disabled={p.disabled} aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, p)}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)} />
    </Frame>
  );
}

/**
 * A number that may have decimals (a percentage, a rate); empty is `undefined`. The text typed is
 * kept as typed ("0." on the way to "0.5"), and replaced only when the value changes from outside.
 */
export function DecimalField(p: Common & { value: number | undefined; onInput(v: number | undefined): void }) {
  const id = useId();
  const [text, setText] = useState(p.value === undefined ? "" : String(p.value));
  useEffect(() => {
    const typed = text.trim() === "" ? undefined : Number(text.replace(",", "."));
    if (!Object.is(typed, p.value)) setText(p.value === undefined ? "" : String(p.value));
  }, [p.value]);
  return (
    <Frame {...p} id={id}>
      <input id={id} name={p.name} type="text" inputMode="decimal" value={text} disabled={p.disabled}
        aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, p)}
        onInput={(e) => {
          const t = (e.currentTarget as HTMLInputElement).value;
          setText(t);
          const n = Number(t.replace(",", "."));
          p.onInput(t.trim() === "" ? undefined : Number.isFinite(n) ? n : Number.NaN);
        }} />
    </Frame>
  );
}
