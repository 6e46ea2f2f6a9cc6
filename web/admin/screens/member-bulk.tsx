import { useState } from "preact/hooks";
import { newIdempotencyKey, unwrap } from "../api.ts";
import { points } from "../format.ts";
import { href } from "../router.ts";
import { useSession } from "../session.ts";
import { csvRows } from "../ui/csv.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { NumberField, TextArea, TextField } from "../ui/fields.tsx";
import { Card, ErrorBanner, Notice, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";

/**
 * Member ids from pasted text or a CSV file: one per line, or the `memberId` column of a CSV with a
 * header (else its first column). Blank lines and repeats are dropped.
 */
export function memberIdsFrom(text: string): string[] {
  // Parsed as CSV, not split at commas: a quoted name with a comma before the id column would
  // otherwise shift the columns and credit ids that do not exist.
  const rows = csvRows(text).map((r) => r.map((c) => c.trim())).filter((r) => r.some((c) => c !== ""));
  if (rows.length === 0) return [];
  const column = rows[0]!.findIndex((h) => h.toLowerCase() === "memberid" || h.toLowerCase() === "member_id");
  const ids = column >= 0 ? rows.slice(1).map((r) => r[column] ?? "") : rows.map((r) => r[0] ?? "");
  return [...new Set(ids.filter((id) => id !== ""))];
}

export function BulkAdd() {
  const { client } = useSession();
  const [ids, setIds] = useState("");
  const [amount, setAmount] = useState<number | undefined>();
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  const memberIds = memberIdsFrom(ids);
  const save = useAction(async () => {
    const res = await unwrap(client.POST("/v1/adjustments/bulk", { params: { header: { "idempotency-key": newIdempotencyKey() } }, body: { memberIds, points: amount as number, reason } }));
    setDone(`Added ${points(amount ?? 0)} points to ${points(res.count)} members.`);
    setIds("");
  });
  const fe = save.fieldError;
  return (
    <Page title="Bulk add points" actions={<a class="button secondary" href={href("members")}>All members</a>}
      intro="The same points, with the same reason, to many members at once. All or nothing: if one id is refused, nobody gets points. There is no undo; a correction is a new adjustment.">
      <Card>
        <form noValidate aria-label="Bulk add points" onSubmit={(e) => { e.preventDefault(); setDone(undefined); setConfirming(true); }}>
          <TextArea name="memberIds" label="Member ids (one per line, or a CSV with a memberId column)" rows={8} mono value={ids} error={fe("memberIds")} onInput={setIds} />
          <div class="field">
            <label for="bulk-file">Or choose a CSV file</label>
            <input id="bulk-file" name="file" type="file" accept=".csv,text/csv,text/plain"
              onChange={async (e) => {
                const file = (e.currentTarget as HTMLInputElement).files?.[0];
                if (file) setIds(await file.text());
              }} />
          </div>
          <p class="hint" data-count>{memberIds.length === 0 ? "No member ids yet." : `${points(memberIds.length)} members.`}</p>
          <div class="row">
            <NumberField name="points" label="Points to add" min={1} value={amount} error={fe("points")} required onInput={setAmount} />
            <TextField name="reason" label="Reason (shown to members)" value={reason} error={fe("reason")} required onInput={setReason} />
          </div>
          <ErrorBanner error={save.error} fieldsShown />
          {done ? <Notice>{done}</Notice> : null}
          <button type="submit" class="primary" disabled={memberIds.length === 0 || !amount || reason.trim() === ""}>Add points…</button>
        </form>
      </Card>
      <ConfirmDialog open={confirming} title={`Add ${points(amount ?? 0)} points to ${points(memberIds.length)} members?`} confirmLabel="Add points" busy={save.busy}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => { await save.run(); setConfirming(false); }}>
        Reason: “{reason}”. This cannot be undone; members who are new are created.
      </ConfirmDialog>
    </Page>
  );
}
