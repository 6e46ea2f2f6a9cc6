import { useEffect, useRef, useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { money, points } from "../format.ts";
import { awardText } from "../award-text.ts";
import { NumberField } from "../ui/fields.tsx";
import { JsonRest } from "../ui/json-rest.tsx";
import { ValidityEditor, type Validity } from "../ui/validity.tsx";
import { getIn, numericLeaves, pathText, setIn, type Json, type Path } from "./model.ts";

export type Tab = "form" | "json";

/** What a number inside an award is, in words (the award's own field names otherwise). */
function leafLabel(award: Json, path: Path): string {
  const key = pathText(path);
  if (key === "points") return "Points";
  if (key === "per") return award.type === "per_amount" ? "Per amount spent (minor units)" : "Per";
  if (key === "every") return "Every Nth time";
  return path.map(String).join(" › ");
}

/** The award's numbers in the order people read an award: points first, then what they are per. */
const ORDER = ["points", "per", "every"];
const rank = (path: Path) => {
  const i = ORDER.indexOf(pathText(path));
  return i === -1 ? ORDER.length : i;
};

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/**
 * The candidate program: the knobs people turn most often as a form (each way to earn's award
 * numbers, each cashback method's rate, the program's validity), and the whole document as JSON
 * for everything else. Both edit the same document; the API's field errors (`candidate.…`) are
 * shown at the field they name, or under the JSON.
 */
export function CandidateEditor(props: {
  doc: Json;
  /** Changes when the document is replaced from outside (loaded, reset, a proposal): the JSON text is rewritten then. */
  resetKey: string;
  currency: string;
  error: ApiError | undefined;
  disabled?: boolean;
  tab: Tab;
  onTab(tab: Tab): void;
  onChange(doc: Json): void;
  onValidity(ok: boolean): void;
}) {
  const tab = props.tab;
  // Whether the JSON tab's text is a document: the JSON editor says so while it is open, and a replaced document is one.
  const [jsonValid, setJsonValid] = useState(true);
  const tabs = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setJsonValid(true);
    props.onValidity(true);
  }, [props.resetKey]);
  const onJsonValidity = (ok: boolean) => {
    setJsonValid(ok);
    props.onValidity(ok);
  };

  const fe = (path: string) => props.error?.fieldError(path);
  const set = (path: Path, value: unknown) => props.onChange(setIn(props.doc, path, value));
  const rules = list(props.doc.earnRules);
  const methods = list(props.doc.redeemMethods);
  const validity = getIn(props.doc, ["settings", "validity"]) as Validity | undefined;

  function choose(next: Tab) {
    if (next === tab) return;
    // The form shows the JSON's document: it must be one first.
    if (next === "form" && !jsonValid) return;
    props.onTab(next);
  }
  /** Arrow keys move between the tabs, as in every tab list (WAI-ARIA). */
  function onKey(e: KeyboardEvent) {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight" && e.key !== "Home" && e.key !== "End") return;
    e.preventDefault();
    const next: Tab = e.key === "Home" ? "form" : e.key === "End" ? "json" : tab === "form" ? "json" : "form";
    choose(next);
    tabs.current?.querySelector<HTMLElement>(`#sim-tab-${next}`)?.focus();
  }
  const candidateErrors = (props.error?.problem.errors ?? []).filter((e) => e.path === "candidate" || e.path.startsWith("candidate."));

  return (
    <div class="candidate">
      <div class="tabs" role="tablist" aria-label="Edit the candidate program as" ref={tabs} onKeyDown={onKey}>
        {(["form", "json"] as const).map((t) => (
          <button key={t} type="button" role="tab" id={`sim-tab-${t}`} aria-selected={tab === t} aria-controls={`sim-panel-${t}`} tabIndex={tab === t ? 0 : -1}
            onClick={() => choose(t)}>{t === "form" ? "Form" : "JSON"}</button>
        ))}
      </div>
      <div role="tabpanel" id="sim-panel-form" aria-labelledby="sim-tab-form" hidden={tab !== "form"}>
        {tab === "form" ? (
          <fieldset disabled={props.disabled}>
            <h3>Ways to earn</h3>
            {rules.length === 0 ? <p class="hint">This program has no ways to earn.</p> : (
              <div class="sim-rules">
                {rules.map((rule, i) => {
                  const award = (rule.award ?? {}) as Json;
                  const leaves = numericLeaves(award).sort((a, b) => rank(a) - rank(b));
                  return (
                    <fieldset class="group" key={`${i}-${String(rule.name)}`} data-rule={String(rule.name)}>
                      <legend>{String(rule.name)}{rule.enabled === false ? " (off)" : ""}</legend>
                      <p class="hint" data-award-text>{rule.event === "order" ? "Orders" : <>Event <code>{String(rule.event ?? "")}</code></>}: {awardText(award, props.currency)}</p>
                      {leaves.length === 0 ? <p class="hint">No numbers to change here: use the JSON tab.</p> : (
                        <div class="row">
                          {leaves.map((leaf) => {
                            const path: Path = ["earnRules", i, "award", ...leaf];
                            const value = getIn(props.doc, path) as number;
                            const isPer = pathText(leaf) === "per" && award.type === "per_amount";
                            return (
                              <NumberField key={pathText(leaf)} name={`candidate.${pathText(path)}`} label={leafLabel(award, leaf)} value={value}
                                step={Number.isInteger(value) ? 1 : 0.01} hint={isPer && typeof value === "number" ? `${money(value, props.currency)} spent` : undefined}
                                error={fe(`candidate.${pathText(path)}`)} onInput={(v) => set(path, v ?? Number.NaN) /* NaN, not undefined: the field stays, and the API names it */} />
                            );
                          })}
                        </div>
                      )}
                    </fieldset>
                  );
                })}
              </div>
            )}
            <h3>Ways to redeem</h3>
            {methods.some((m) => m.type === "cashback") ? (
              <div class="sim-rules">
                {methods.map((m, i) => (m.type !== "cashback" ? null : (
                  <fieldset class="group" key={`${i}-${String(m.name)}`} data-method={String(m.name)}>
                    <legend>{String(m.name)}{m.enabled === false ? " (off)" : ""}</legend>
                    <p class="hint">{typeof m.points === "number" && typeof m.amount === "number" ? `${points(m.points)} points = ${money(m.amount, props.currency)} off at checkout` : "cashback"}</p>
                    <div class="row">
                      <NumberField name={`candidate.redeemMethods.${i}.points`} label="Points" min={1} value={m.points as number | undefined}
                        error={fe(`candidate.redeemMethods.${i}.points`)} onInput={(v) => set(["redeemMethods", i, "points"], v)} />
                      <NumberField name={`candidate.redeemMethods.${i}.amount`} label="Discount (minor units)" min={1} value={m.amount as number | undefined}
                        hint={typeof m.amount === "number" ? money(m.amount, props.currency) : undefined}
                        error={fe(`candidate.redeemMethods.${i}.amount`)} onInput={(v) => set(["redeemMethods", i, "amount"], v)} />
                    </div>
                  </fieldset>
                )))}
              </div>
            ) : <p class="hint">No cashback way to redeem: points have no cash value, so liability and cost cannot be put in money.</p>}
            <h3>Validity</h3>
            {validity ? (
              <ValidityEditor name="candidate.settings.validity" label="Points are valid (unless a way to earn sets its own)" value={validity} fieldError={fe}
                onChange={(v) => set(["settings", "validity"], v)} />
            ) : <p class="hint">This document has no program validity: add <code>settings.validity</code> in the JSON tab.</p>}
          </fieldset>
        ) : null}
      </div>
      <div role="tabpanel" id="sim-panel-json" aria-labelledby="sim-tab-json" hidden={tab !== "json"}>
        {tab === "json" ? (
          // Opened with the document as it is now (the form may have changed it since the tab was last open).
          <JsonRest name="candidate" label="The whole candidate program (JSON, as Program export gives it)" rows={18} emptyIsInvalid
            hint="Settings, tiers, ways to earn and ways to redeem: change anything, then run the simulation."
            initial={props.doc} resetKey={props.resetKey} disabled={props.disabled} onChange={props.onChange} onValidity={onJsonValidity}
            error={candidateErrors.length ? candidateErrors.map((e) => `${e.path}: ${e.message}`).join("; ") : undefined} />
        ) : null}
      </div>
    </div>
  );
}

/** The candidate's field errors a form shows at a field: the rest go to the banner. */
export function shownInForm(path: string, doc: Json): boolean {
  const parts = path.split(".");
  if (parts[0] !== "candidate") return path === "from" || path === "to" || path === "redemptionRate";
  if (parts[1] === "earnRules" && parts[3] === "award") return typeof getIn(doc, parts.slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p))) === "number";
  if (parts[1] === "redeemMethods" && (parts[3] === "points" || parts[3] === "amount")) return getIn(doc, ["redeemMethods", Number(parts[2]), "type"]) === "cashback";
  return parts[1] === "settings" && parts[2] === "validity";
}
