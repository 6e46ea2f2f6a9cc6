import { NumberField, Select } from "./fields.tsx";

export type Validity = { type: "never" } | { type: "rolling"; days?: number; months?: number } | { type: "fixed_date"; month: number; day: number };

type Kind = "never" | "rolling_days" | "rolling_months" | "fixed_date";

const kindOf = (v: Validity): Kind => (v.type === "rolling" ? (v.months !== undefined ? "rolling_months" : "rolling_days") : v.type);

/** How long points stay valid (SPEC §3 Expiry): never, N days or months after they become available, or a fixed day each year. */
export function ValidityEditor(props: { name: string; value: Validity; onChange(v: Validity): void; fieldError(path: string): string | undefined; disabled?: boolean; label?: string }) {
  const v = props.value;
  const kind = kindOf(v);
  return (
    <fieldset class="group" disabled={props.disabled}>
      <legend>{props.label ?? "Points are valid"}</legend>
      <Select name={`${props.name}.type`} label="Expiry" value={kind} error={props.fieldError(`${props.name}.type`)}
        options={[
          { value: "never", label: "Never expire" },
          { value: "rolling_days", label: "A number of days after they are credited" },
          { value: "rolling_months", label: "A number of months after they are credited" },
          { value: "fixed_date", label: "On a fixed day of the following year" },
        ]}
        onChange={(k) => props.onChange(k === "never" ? { type: "never" } : k === "rolling_days" ? { type: "rolling", days: 365 } : k === "rolling_months" ? { type: "rolling", months: 12 } : { type: "fixed_date", month: 12, day: 31 })} />
      {v.type === "rolling" && kind === "rolling_days" ? (
        <NumberField name={`${props.name}.days`} label="Days" min={1} value={v.days} error={props.fieldError(`${props.name}.days`) ?? props.fieldError(props.name)} onInput={(days) => props.onChange({ type: "rolling", days })} />
      ) : null}
      {v.type === "rolling" && kind === "rolling_months" ? (
        <NumberField name={`${props.name}.months`} label="Months" min={1} value={v.months} error={props.fieldError(`${props.name}.months`) ?? props.fieldError(props.name)} onInput={(months) => props.onChange({ type: "rolling", months })} />
      ) : null}
      {v.type === "fixed_date" ? (
        <div class="row">
          <NumberField name={`${props.name}.month`} label="Month (1–12)" min={1} value={v.month} error={props.fieldError(`${props.name}.month`)} onInput={(month) => props.onChange({ ...v, month: month ?? 0 })} />
          <NumberField name={`${props.name}.day`} label="Day" min={1} value={v.day} error={props.fieldError(`${props.name}.day`)} onInput={(day) => props.onChange({ ...v, day: day ?? 0 })} />
        </div>
      ) : null}
    </fieldset>
  );
}
