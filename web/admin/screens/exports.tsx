import { useState } from "preact/hooks";
import { useSession } from "../session.ts";
import { TextField } from "../ui/fields.tsx";
import { Card, ErrorBanner, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import type { ScreenProps } from "./screen.ts";

const EXPORTS = [
  { file: "members.csv", title: "Members", about: "Every member with their balance, pending and held points, tier and contact details." },
  { file: "ledger.csv", title: "Ledger", about: "Every entry: who, when, what type, how many points, why, and the balance after it." },
  { file: "orders.csv", title: "Orders", about: "Every order with the points it earned, has pending, had reversed and spent." },
];

export function ExportsScreen(_: ScreenProps) {
  const { api } = useSession();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const download = useAction(async (file: string) => {
    const q = new URLSearchParams();
    if (from) q.set("from", new Date(from).toISOString());
    if (to) q.set("to", new Date(to).toISOString());
    await api.download(`/v1/exports/${file}${q.toString() ? `?${q}` : ""}`, file);
  });
  return (
    <Page title="Exports" intro="CSV files for your spreadsheet or accounting. Cells a spreadsheet would run as formulas are neutralised.">
      <Card title="Period (optional)">
        <div class="row">
          <TextField name="from" label="From" type="datetime-local" value={from} onInput={setFrom} />
          <TextField name="to" label="To" type="datetime-local" value={to} onInput={setTo} />
        </div>
      </Card>
      <ErrorBanner error={download.error} />
      <div class="stats">
        {EXPORTS.map((e) => (
          <div class="card" key={e.file}>
            <h2>{e.title}</h2>
            <p>{e.about}</p>
            <button type="button" class="primary" disabled={download.busy} onClick={() => void download.run(e.file)}>Download {e.file}</button>
          </div>
        ))}
      </div>
    </Page>
  );
}
