import { useEffect, useState } from "preact/hooks";
import { TextArea } from "./fields.tsx";
import type { Json } from "./object-path.ts";

/**
 * An object edited as JSON text. Beside a form it holds the settings the form has no control for
 * (`managed` left out): everything the API accepts stays reachable, and nothing the form does not
 * show is lost when it saves. Without `managed` it is the whole object, as the simulator's
 * candidate program. The label and hint default to the form's "more settings".
 */
export function JsonRest(props: {
  initial: Json;
  /** The keys a form has fields for, left out of the text; none: the whole object. */
  managed?: readonly string[];
  resetKey: string;
  onChange(rest: Json): void;
  error?: string;
  disabled?: boolean;
  onValidity(ok: boolean): void;
  name?: string;
  label?: string;
  hint?: string;
  rows?: number;
  /** An empty text is refused as not valid JSON (a whole document cannot be nothing), instead of meaning no more settings. */
  emptyIsInvalid?: boolean;
}) {
  const textOf = (o: Json) => JSON.stringify(restOf(o, props.managed ?? []), null, 2);
  const [text, setText] = useState(() => textOf(props.initial));
  const [parseError, setParseError] = useState<string | undefined>();
  // Another object opened (another item, a document replaced): its JSON replaces the text (typing never does, so the cursor stays).
  useEffect(() => {
    setText(textOf(props.initial));
    setParseError(undefined);
    props.onValidity(true);
  }, [props.resetKey]);
  return (
    <TextArea name={props.name ?? "more"} label={props.label ?? "More settings (JSON)"} rows={props.rows ?? 6} mono value={text} disabled={props.disabled}
      hint={props.hint ?? "Conditions, limits, multipliers, dates and other settings without a field above."}
      error={parseError ?? props.error}
      onInput={(t) => {
        setText(t);
        try {
          const parsed = t.trim() === "" && !props.emptyIsInvalid ? {} : JSON.parse(t);
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("must be a JSON object");
          setParseError(undefined);
          props.onValidity(true);
          props.onChange(parsed as Json);
        } catch (e) {
          setParseError(`not valid JSON: ${(e as Error).message}`);
          props.onValidity(false);
        }
      }} />
  );
}

export const restOf = (o: Json, managed: readonly string[]): Json => Object.fromEntries(Object.entries(o).filter(([k]) => !managed.includes(k)));

/** The object with the managed keys from `form` and the rest from the JSON editor. */
export function merge(form: Json, managed: readonly string[], rest: Json): Json {
  const kept = Object.fromEntries(Object.entries(form).filter(([k]) => managed.includes(k)));
  return { ...rest, ...kept };
}
