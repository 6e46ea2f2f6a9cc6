import { useEffect, useState } from "preact/hooks";
import { TextArea } from "./fields.tsx";
import type { Json } from "./object-path.ts";

/**
 * The settings a form has no control for, as JSON: everything the API accepts stays reachable,
 * and nothing the form does not show is lost when it saves.
 */
export function JsonRest(props: { initial: Json; managed: readonly string[]; resetKey: string; onChange(rest: Json): void; error?: string; disabled?: boolean; onValidity(ok: boolean): void }) {
  const restOf = (o: Json) => Object.fromEntries(Object.entries(o).filter(([k]) => !props.managed.includes(k)));
  const [text, setText] = useState(() => JSON.stringify(restOf(props.initial), null, 2));
  const [parseError, setParseError] = useState<string | undefined>();
  // Another item opened: its settings replace the text (typing never does, so the cursor stays).
  useEffect(() => {
    setText(JSON.stringify(restOf(props.initial), null, 2));
    setParseError(undefined);
    props.onValidity(true);
  }, [props.resetKey]);
  return (
    <TextArea name="more" label="More settings (JSON)" rows={6} mono value={text} disabled={props.disabled}
      hint="Conditions, limits, multipliers, dates and other settings without a field above."
      error={parseError ?? props.error}
      onInput={(t) => {
        setText(t);
        try {
          const parsed = t.trim() === "" ? {} : JSON.parse(t);
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
