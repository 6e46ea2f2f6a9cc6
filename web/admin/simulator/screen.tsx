import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, newIdempotencyKey, unwrap } from "../api.ts";
import { dateTime } from "../format.ts";
import { href, navigate } from "../router.ts";
import type { ScreenProps } from "../screens/screen.ts";
import { useSession } from "../session.ts";
import { Card, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import { AssistantPanel } from "./assistant.tsx";
import { CandidateEditor, shownInForm, type Tab } from "./editor.tsx";
import { DateField, DecimalField } from "./fields.tsx";
import { dayIn, lastTwelveMonths, type Json, type Proposal, type Simulation } from "./model.ts";
import { useFollowedSimulation } from "./follow.ts";
import { Results } from "./results.tsx";
import "./simulator.css";

/**
 * The simulator (SPEC §8): the store's own history replayed under a candidate program next to its
 * current one, and an assistant that proposes candidates for a target cost share. `#/simulator/<id>`
 * shows one simulation's results, so a run can be reloaded and linked to.
 */
export function SimulatorScreen({ route }: ScreenProps) {
  const { api, client, store } = useSession();
  const simId = route[0];
  const program = useLoad(() => unwrap(client.GET("/v1/program/export")) as Promise<Json>, []);
  // The store's today from a fresh read: on a sandbox store the test clock may have moved since sign-in.
  const session = useLoad(() => unwrap(client.GET("/v1/session")), []);
  const [doc, setDoc] = useState<Json | null>(null);
  const [resetKey, setResetKey] = useState("none");
  const [docValid, setDocValid] = useState(true);
  const [tab, setTab] = useState<Tab>("form");
  const [period, setPeriod] = useState(() => lastTwelveMonths(dayIn(new Date(store.clock ?? Date.now()), store.timezone)));
  // A ref, not state: the session's default must not replace a period set in the same render.
  const periodTouched = useRef(false);
  const [ratePct, setRatePct] = useState<number | undefined>(undefined);
  const [finished, setFinished] = useState<Simulation | null>(null);
  const [listTick, setListTick] = useState(0);

  // The candidate is a document edited as JSON: sent path-based, as the program import screen sends its own.
  const run = useAction(async () => {
    const body = { candidate: doc, from: period.from, to: period.to, ...(ratePct !== undefined ? { redemptionRate: ratePct / 100 } : {}) };
    const res = await api.post<{ id: string }>("/v1/simulations", body, { idempotencyKey: newIdempotencyKey() });
    setFinished(null);
    navigate("simulator", res.id);
  });
  /** Another document in the editor: the API's refusal was about the one it replaces. */
  const replace = (next: Json) => {
    setDoc(next);
    setResetKey(`${Date.now()}-${Math.random()}`);
    run.clear();
  };
  // The simulation in the address: once its first answer comes, what it was asked (candidate,
  // period, rate) goes back in the editor, whoever ran it: this tab, another, the API, the assistant.
  const restoredFor = useRef<string | undefined>(undefined);
  const restoreFrom = (sim: Simulation) => {
    if (restoredFor.current === sim.id) return;
    restoredFor.current = sim.id;
    replace(sim.input.candidate as Json);
    setPeriod({ from: asDay(sim.input.from), to: asDay(sim.input.to) });
    periodTouched.current = true;
    setRatePct(sim.input.redemptionRate === null ? undefined : Number((sim.input.redemptionRate * 100).toFixed(4)));
  };
  /** A date as sent: the API also takes instants, which the date field shows as the store's day. */
  const asDay = (sent: string) => (/^\d{4}-\d{2}-\d{2}$/.test(sent) ? sent : dayIn(new Date(sent), store.timezone));
  // The current program when it first loads (unless a simulation's candidate came first), and again after an apply changed it.
  const programShown = useRef(false);
  useEffect(() => {
    if (!program.data) return;
    const first = !programShown.current;
    programShown.current = true;
    if (first && restoredFor.current !== undefined) return;
    replace(program.data);
  }, [program.data]);
  useEffect(() => {
    const s = session.data?.store;
    if (s && !periodTouched.current) setPeriod(lastTwelveMonths(dayIn(new Date(s.clock ?? Date.now()), s.timezone)));
  }, [session.data]);
  const setDates = (k: "from" | "to", v: string) => {
    periodTouched.current = true;
    setPeriod({ ...period, [k]: v });
  };

  // Field errors shown at their field stay out of the banner; the others (a setting without a field) are listed there.
  const unshown = run.error?.problem.errors?.filter((e) => !(tab === "json" && (e.path === "candidate" || e.path.startsWith("candidate."))) && !(doc && shownInForm(e.path, doc)));
  const bannerError = run.error ? new ApiError({ ...run.error.problem, errors: unshown }) : undefined;

  function loadProposal(p: Proposal) {
    replace(p.document);
    setTab("form");
    const heading = document.getElementById("sim-candidate");
    heading?.scrollIntoView({ block: "start" });
    heading?.focus();
  }

  return (
    <Page title="Simulator" intro="Replay your store's real history under a changed program and see what it would have issued, cost and left outstanding, month by month, beside your current program. Nothing changes until you apply it.">
      <ErrorBanner error={program.error} />
      {!doc ? (program.error ? null : <Loading />) : (
        <form noValidate aria-label="Simulation" onSubmit={(e) => { e.preventDefault(); if (docValid) void run.run(); }}>
          <div class="card">
            <div class="sim-head">
              <h2 id="sim-candidate" tabIndex={-1}>Candidate program</h2>
              <button type="button" class="secondary" disabled={!program.data} onClick={() => program.data && replace(program.data)}>Start again from the current program</button>
            </div>
            <CandidateEditor doc={doc} resetKey={resetKey} currency={store.currency} error={run.error} disabled={run.busy} tab={tab} onTab={setTab}
              onChange={setDoc} onValidity={setDocValid} />
          </div>
          <Card title="Period and assumptions">
            <div class="row">
              <DateField name="from" label="From" value={period.from} error={run.fieldError("from")} onInput={(v) => setDates("from", v)} />
              <DateField name="to" label="To" value={period.to} error={run.fieldError("to")} onInput={(v) => setDates("to", v)} />
              <DecimalField name="redemptionRate" label="Redemption rate (%)" value={ratePct} error={run.fieldError("redemptionRate")}
                hint="The share of points members redeem. Empty: your members' own rate." onInput={setRatePct} />
            </div>
            <ErrorBanner error={bannerError} fieldsShown={false} />
            <button type="submit" class="primary" disabled={run.busy || !docValid}>{run.busy ? "Starting…" : "Run simulation"}</button>
          </Card>
        </form>
      )}
      {simId ? <SimulationRun key={simId} id={simId} currency={store.currency} onSeen={restoreFrom} onFinished={(s) => { setFinished(s); setListTick((n) => n + 1); }} /> : null}
      {doc ? (
        <AssistantPanel from={period.from} to={period.to} currentCostShare={finished?.current?.totals.costShare ?? null}
          onLoad={loadProposal} onApplied={program.reload} />
      ) : null}
      <EarlierSimulations tick={listTick} current={simId} />
    </Page>
  );
}

/** Follows one simulation every half second until it is done, then shows its results; `onSeen` is told its first answer. */
function SimulationRun(props: { id: string; currency: string; onSeen(sim: Simulation): void; onFinished(sim: Simulation): void }) {
  const [started] = useState(() => Date.now());
  const { sim, error } = useFollowedSimulation(props.id, true, props.onFinished);
  const seen = sim !== null;
  useEffect(() => {
    if (sim) props.onSeen(sim);
  }, [seen]);

  if (error) return <ErrorBanner error={error} />;
  if (!sim || sim.status === "running") {
    // Each answer of the poll renders again: the time shown moves with it.
    const seconds = Math.round((Date.now() - started) / 1000);
    // Until the replay starts (the history is being read) there is no share to show: the bar just moves.
    const share = sim && sim.progress > 0 ? sim.progress : null;
    const percent = share === null ? null : Math.floor(share * 100);
    return (
      <Card title="Simulating…">
        <div class="running" data-sim-status="running">
          <p role="status">
            {share === null ? "Reading your history" : `Replaying your history: ${percent} % done`}
            {sim ? `, ${sim.from} to ${sim.to}` : ""}… {seconds > 0 ? `${seconds} s` : ""}
          </p>
          {share === null
            ? <progress aria-label="Simulation in progress" />
            : <progress aria-label="Simulation in progress" value={share} max={1} data-progress={percent} />}
        </div>
      </Card>
    );
  }
  if (sim.status === "failed") {
    return <div class="banner error" role="alert" data-sim-status="failed"><strong>The simulation failed.</strong> {sim.error ?? ""}</div>;
  }
  return (
    <div data-sim-status="done">
      <p class="visually-hidden" role="status">Simulation done.</p>
      <Results sim={sim} currency={props.currency} />
    </div>
  );
}

/** The store's recent simulations, newest first, each one link away. */
function EarlierSimulations(props: { tick: number; current: string | undefined }) {
  const { client, store } = useSession();
  const list = useLoad(() => unwrap(client.GET("/v1/simulations", { params: { query: { limit: 10 } } })), [props.tick]);
  const rows = list.data?.data ?? [];
  if (list.error) return <ErrorBanner error={list.error} />;
  if (rows.length === 0) return null;
  return (
    <Card title="Earlier simulations">
      <div class="table-wrap">
        <table aria-label="Earlier simulations" class="stack">
          <thead><tr><th scope="col">Started</th><th scope="col">Period</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id}>
                <th scope="row">{dateTime(s.createdAt, store.timezone)}</th>
                <td data-label="Period">{s.from} – {s.to}</td>
                <td data-label="Status">{s.status}</td>
                <td data-label="">
                  {s.id === props.current ? <span aria-current="true">shown above</span> : <a href={href("simulator", s.id)} aria-label={`Open the simulation of ${s.from} – ${s.to} started ${dateTime(s.createdAt, store.timezone)}`}>Open</a>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
