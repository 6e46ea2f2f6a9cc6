/**
 * Form fields that show the API's message for their field (`name` is its path). Forms that write
 * set `noValidate`: the API judges every value, so its words appear at the field, rather than the
 * browser's own bubble (in the browser's language, gone on the next click) stopping the request.
 */
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

interface Common {
  label: string;
  error?: string;
  hint?: string;
  /** The API field this control edits: its errors are shown here (also used in tests). */
  name: string;
  required?: boolean;
  disabled?: boolean;
}

function Frame(props: Common & { id: string; children: ComponentChildren; inline?: boolean }) {
  return (
    <div class={`field${props.error ? " invalid" : ""}${props.inline ? " inline" : ""}`} data-field={props.name}>
      {props.inline ? null : <label for={props.id}>{props.label}{props.required ? <span aria-hidden="true"> *</span> : null}</label>}
      {props.children}
      {props.inline ? <label for={props.id}>{props.label}</label> : null}
      {props.hint && !props.error ? <p class="hint" id={`${props.id}-hint`}>{props.hint}</p> : null}
      {props.error ? <p class="error" id={`${props.id}-error`} role="alert">{props.error}</p> : null}
    </div>
  );
}

const describedBy = (id: string, p: Common) => (p.error ? `${id}-error` : p.hint ? `${id}-hint` : undefined);

export function TextField(p: Common & { value: string; onInput(v: string): void; type?: "text" | "password" | "email" | "search" | "tel" | "url" | "datetime-local"; placeholder?: string; autoComplete?: string }) {
  const id = useId();
  return (
    <Frame {...p} id={id}>
      <input id={id} name={p.name} type={(p.type ?? "text") as "text" /* Preact types pair each input type with its roles; all of these are text-like */} value={p.value} placeholder={p.placeholder} required={p.required} disabled={p.disabled}
        autoComplete={p.autoComplete} aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, p)}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)} />
    </Frame>
  );
}

/** A whole number (points, minor units, days); empty is `undefined`, and the API judges the rest. */
export function NumberField(p: Common & { value: number | undefined; onInput(v: number | undefined): void; min?: number; step?: number }) {
  const id = useId();
  return (
    <Frame {...p} id={id}>
      <input id={id} name={p.name} type="number" inputMode="numeric" value={p.value ?? ""} min={p.min} step={p.step ?? 1} required={p.required} disabled={p.disabled}
        aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, p)}
        onInput={(e) => {
          const text = (e.currentTarget as HTMLInputElement).value;
          p.onInput(text === "" ? undefined : Number(text));
        }} />
    </Frame>
  );
}

export function TextArea(p: Common & { value: string; onInput(v: string): void; rows?: number; mono?: boolean }) {
  const id = useId();
  return (
    <Frame {...p} id={id}>
      <textarea id={id} name={p.name} rows={p.rows ?? 4} class={p.mono ? "mono" : undefined} value={p.value} required={p.required} disabled={p.disabled}
        aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, p)}
        onInput={(e) => p.onInput((e.currentTarget as HTMLTextAreaElement).value)} />
    </Frame>
  );
}

// The options and the value fix T; the handler takes what they allow (NoInfer: a setter of a narrower type fits).
export function Select<T extends string>(p: Common & { value: T; options: Array<{ value: T; label: string }>; onChange(v: NoInfer<T>): void }) {
  const id = useId();
  return (
    <Frame {...p} id={id}>
      <select id={id} name={p.name} value={p.value} disabled={p.disabled} aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, p)}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value as T)}>
        {p.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </Frame>
  );
}

export function Checkbox(p: Common & { checked: boolean; onChange(v: boolean): void }) {
  const id = useId();
  return (
    <Frame {...p} id={id} inline>
      <input id={id} name={p.name} type="checkbox" checked={p.checked} disabled={p.disabled} aria-describedby={describedBy(id, p)}
        onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked)} />
    </Frame>
  );
}
