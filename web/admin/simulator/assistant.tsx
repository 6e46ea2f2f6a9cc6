import { useState } from "preact/hooks";
import type { paths } from "../../api/client.ts";
import { newIdempotencyKey, unwrap, type ApiError } from "../api.ts";
import { dateTime, money } from "../format.ts";
import { href } from "../router.ts";
import { useSession } from "../session.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { Card, ErrorBanner, Notice } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { DecimalField } from "./fields.tsx";
import { useFollowedSimulation } from "./follow.ts";
import { percent, type Proposal } from "./model.ts";

type ProposalRequest = NonNullable<paths["/v1/assistant/proposals"]["post"]["requestBody"]>["content"]["application/json"];

interface Applied {
  proposal: Proposal;
  appliedAt: string;
  diff: unknown;
}

/** What an apply changed, in words: the program diff's settings and items (as PUT /v1/program/import reports them). */
function diffLines(diff: unknown): string[] {
  if (!diff || typeof diff !== "object") return [];
  const d = diff as Record<string, unknown>;
  const lines: string[] = [];
  if (Array.isArray(d.settings) && d.settings.length) lines.push(`Settings: ${d.settings.join(", ")}`);
  const names: Array<[string, string]> = [["earnRules", "Ways to earn"], ["redeemMethods", "Ways to redeem"], ["tiers", "Tiers"]];
  for (const [key, label] of names) {
    const item = d[key] as Record<string, unknown> | undefined;
    if (!item || typeof item !== "object") continue;
    const part = (k: string, verb: string) => (Array.isArray(item[k]) && (item[k] as unknown[]).length ? `${verb} ${(item[k] as string[]).map((n) => `“${n}”`).join(", ")}` : "");
    const text = [part("added", "added"), part("changed", "changed"), part("removed", "removed")].filter(Boolean).join("; ");
    if (text) lines.push(`${label}: ${text}`);
  }
  return lines;
}

/** The assistant's refusal when it was used less than 7 days ago: when it can be used again. */
export function cooldownOf(error: ApiError | undefined): { availableAt: string | null; retryAfter: number | null } | null {
  if (!error || error.problem.code !== "assistant_cooldown") return null;
  const p = error.problem;
  return { availableAt: typeof p.availableAt === "string" ? p.availableAt : null, retryAfter: typeof p.retryAfter === "number" ? p.retryAfter : null };
}

function Cooldown(props: { error: ApiError | undefined; timeZone: string }) {
  const c = cooldownOf(props.error);
  if (!c) return null;
  const at = c.availableAt ?? (c.retryAfter !== null ? new Date(Date.now() + c.retryAfter * 1000).toISOString() : null);
  return (
    <div class="banner warn" role="alert" data-cooldown>
      <strong>Not applied.</strong> The assistant changed your program less than 7 days ago. {at ? <>The assistant can be used again on <strong>{dateTime(at, props.timeZone)}</strong>.</> : "Try again in a few days."}
    </div>
  );
}

/**
 * The assistant: given the cost share the merchant aims for, it proposes programs (each with the
 * simulation that backs it). A proposal can be loaded into the simulator to change it further, or
 * applied as the store's program after a confirmation; applies are at least 7 days apart.
 */
export function AssistantPanel(props: { from: string; to: string; currentCostShare: number | null; onLoad(proposal: Proposal): void; onApplied(): void }) {
  const { client, store } = useSession();
  const [target, setTarget] = useState<number | undefined>(undefined);
  const [proposals, setProposals] = useState<Proposal[] | null>(null);
  const [confirming, setConfirming] = useState<Proposal | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  const cash = (v: number | null | undefined) => (v === null || v === undefined ? "—" : money(v, store.currency));

  const propose = useAction(async () => {
    setProposals(null);
    setLoaded(null);
    // An empty target is sent without one (and a non-number as null): the API's word for it shows at the field.
    const body = { ...(target !== undefined ? { targetCostShare: target / 100 } : {}), ...(props.from ? { from: props.from } : {}), ...(props.to ? { to: props.to } : {}) } as ProposalRequest;
    const res = await unwrap(client.POST("/v1/assistant/proposals", { body }));
    setProposals(res.proposals);
  });
  // A refused apply keeps the message of the one that went through: both are true.
  const apply = useAction(async (p: Proposal) => {
    const res = await unwrap(client.POST("/v1/assistant/proposals/{id}/apply", { params: { path: { id: p.id }, header: { "idempotency-key": newIdempotencyKey() } } }));
    setApplied({ proposal: p, appliedAt: res.appliedAt, diff: res.diff });
    props.onApplied();
  });
  const cooling = cooldownOf(apply.error) ?? cooldownOf(propose.error);
  // From the simulation above, or from the proposals' own (each carries the current program's figures).
  const currentShare = props.currentCostShare ?? proposals?.[0]?.simulation.current?.totals.costShare ?? null;

  return (
    <Card title="Assistant" class="assistant">
      <p class="intro">Say what share of your revenue the points should cost; the assistant proposes programs that get there, each simulated on your history over the period above.</p>
      <form class="row" noValidate aria-label="Ask the assistant" onSubmit={(e) => { e.preventDefault(); void propose.run(); }}>
        <DecimalField name="targetCostShare" label="Target cost share (%)" value={target} error={propose.fieldError("targetCostShare")}
          hint={currentShare !== null ? `Your current program's, over this period: ${percent(currentShare)}` : "For example 2 for 2 % of revenue."}
          onInput={setTarget} />
        <button type="submit" class="primary" disabled={propose.busy}>{propose.busy ? "Proposing…" : "Propose"}</button>
      </form>
      {propose.busy ? <p class="loading" role="status">The assistant is drafting programs and simulating them on your history…</p> : null}
      {cooldownOf(propose.error) ? null : <ErrorBanner error={propose.error} fieldsShown={!!propose.fieldError("targetCostShare")} />}
      {applied ? (
        <Notice>
          <span data-applied>Applied “{applied.proposal.summary}” on {dateTime(applied.appliedAt, store.timezone)}.</span> Your program changed: see{" "}
          <a href={href("program")}>Program</a>, <a href={href("earn-rules")}>Ways to earn</a> and <a href={href("redeem-methods")}>Ways to redeem</a>.
          {diffLines(applied.diff).length ? <ul>{diffLines(applied.diff).map((l) => <li key={l}>{l}</li>)}</ul> : null}
        </Notice>
      ) : null}
      {cooling ? <Cooldown error={cooldownOf(apply.error) ? apply.error : propose.error} timeZone={store.timezone} /> : <ErrorBanner error={apply.error} />}
      {loaded ? <Notice kind="info">Loaded “{loaded}” into the simulator above: change it if you like, then run the simulation.</Notice> : null}
      {proposals && proposals.length === 0 ? <p>No proposal reaches that target with this history: try another target or a longer period.</p> : null}
      {proposals && proposals.length > 0 ? (
        <ol class="proposals" aria-label="Proposals">
          {proposals.map((p, i) => <ProposalItem key={p.id} p={p} n={i + 1} cash={cash} busy={apply.busy}
            onLoad={() => { props.onLoad(p); setLoaded(p.summary); }} onApply={() => { apply.clear(); setLoaded(null); setConfirming(p); }} />)}
        </ol>
      ) : null}
      <ConfirmDialog open={confirming !== null} title={`Apply “${confirming?.summary ?? ""}”?`} confirmLabel="Apply to my program" busy={apply.busy}
        onCancel={() => setConfirming(null)}
        onConfirm={async () => {
          if (!confirming) return;
          await apply.run(confirming);
          setConfirming(null);
        }}>
        <p>Your program becomes this proposal now, for every member: its ways to earn, ways to redeem and settings. Points already credited keep their value and expiry.</p>
        <p>The change is recorded in the audit log under your key, and the assistant cannot apply another proposal for 7 days.</p>
      </ConfirmDialog>
    </Card>
  );
}

function ProposalItem(props: { p: Proposal; n: number; cash(v: number | null | undefined): string; busy: boolean; onLoad(): void; onApply(): void }) {
  const { p } = props;
  // A simulation still running when the proposals came (a large store's history) is followed until it is done.
  const followed = useFollowedSimulation(p.simulation.id, p.simulation.status === "running");
  const sim = followed.sim ?? p.simulation;
  const cur = sim.current?.totals;
  const cand = sim.candidate?.totals;
  const headingId = `proposal-${props.n}`;
  const share = sim.status === "running" && sim.progress > 0 ? sim.progress : null;
  return (
    <li class="proposal" data-proposal={p.id} data-sim-status={sim.status} aria-labelledby={headingId}>
      <h3 id={headingId}>{props.n}. {p.summary}</h3>
      <p>{p.explanation}</p>
      {sim.status === "running" ? (
        <div class="running">
          <p role="status">{share === null ? "Simulating this proposal on your history…" : `Simulating this proposal on your history: ${Math.floor(share * 100)} % done…`}</p>
          {share === null ? <progress aria-label={`Simulation of proposal ${props.n} in progress`} />
            : <progress aria-label={`Simulation of proposal ${props.n} in progress`} value={share} max={1} />}
        </div>
      ) : null}
      {sim.status === "failed" ? <div class="banner error" role="alert"><strong>This proposal's simulation failed.</strong> {sim.error ?? ""}</div> : null}
      <ErrorBanner error={followed.error} />
      {cur && cand ? (
        <div class="table-wrap">
          <table aria-label={`Key figures of proposal ${props.n}`}>
            <thead><tr><th scope="col">Over the period</th><th scope="col" class="num">Current program</th><th scope="col" class="num">This proposal</th></tr></thead>
            <tbody>
              {([["costShare", "Cost share", (v: number | null) => percent(v)], ["liability", "Liability at the end", props.cash], ["cost", "Expected cost", props.cash]] as const).map(([k, label, show]) => (
                <tr key={k} data-metric={k}>
                  <th scope="row">{label}</th>
                  <td class="num" data-program="current" data-value={cur[k] ?? ""}>{show(cur[k])}</td>
                  <td class="num" data-program="candidate" data-value={cand[k] ?? ""}>{show(cand[k])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div class="actions">
        <button type="button" class="secondary" aria-label={`Load into simulator: proposal ${props.n}`} onClick={props.onLoad}>Load into simulator</button>
        <button type="button" class="primary" aria-label={`Apply proposal ${props.n}`} disabled={props.busy} onClick={props.onApply}>Apply</button>
      </div>
    </li>
  );
}
