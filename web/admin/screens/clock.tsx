import { unwrap } from "../api.ts";
import { useState } from "preact/hooks";
import { dateTime, points } from "../format.ts";
import { useSession } from "../session.ts";
import { TextField } from "../ui/fields.tsx";
import { Card, ErrorBanner, Notice, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import type { ScreenProps } from "./screen.ts";

interface Ran { matured: number; released: number; expired: number; reminded: number }

/** A sandbox store's own time: move it forward to watch points mature, holds time out and points expire. */
export function ClockScreen(_: ScreenProps) {
  const session = useSession();
  const { client, store } = session;
  const [to, setTo] = useState("");
  const [ran, setRan] = useState<Ran | null>(null);
  const advance = useAction(async (target: string) => {
    const res = await unwrap(client.POST("/v1/clock/advance", { body: { to: target } }));
    setRan(res.ran);
    await session.refresh();
  });
  const by = (days: number) => new Date(new Date(store.clock ?? Date.now()).getTime() + days * 86_400_000).toISOString();
  return (
    <Page title="Test clock" intro="This sandbox store runs on its own clock. Moving it forward runs everything that falls due, as the real clock would.">
      <Card title={`Now: ${dateTime(store.clock, store.timezone)}`}>
        <div class="actions">
          {[1, 7, 30, 365].map((d) => <button key={d} type="button" class="secondary" disabled={advance.busy} onClick={() => void advance.run(by(d))}>+{d} {d === 1 ? "day" : "days"}</button>)}
        </div>
        <form class="row" noValidate aria-label="Advance the clock" onSubmit={(e) => { e.preventDefault(); if (to) void advance.run(new Date(to).toISOString()); }}>
          <TextField name="to" label="Move to (in your browser's time zone)" type="datetime-local" value={to} error={advance.fieldError("to")} onInput={setTo} />
          <button type="submit" class="primary" disabled={advance.busy || !to}>Advance</button>
        </form>
        <ErrorBanner error={advance.error} fieldsShown />
        {ran ? <Notice>Done: {points(ran.matured)} awards matured, {points(ran.expired)} lots expired, {points(ran.released)} holds released, {points(ran.reminded)} reminders.</Notice> : null}
      </Card>
    </Page>
  );
}
