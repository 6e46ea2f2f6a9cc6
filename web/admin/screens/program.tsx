import { unwrap } from "../api.ts";
import { useEffect, useState } from "preact/hooks";
import { useCan, useSession } from "../session.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { Checkbox, NumberField, Select, TextArea, TextField } from "../ui/fields.tsx";
import { Card, ErrorBanner, Loading, Notice, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import { ValidityEditor, type Validity } from "../ui/validity.tsx";
import type { ScreenProps } from "./screen.ts";

type Switches = Record<"pointsEarned" | "pointsAdjusted" | "expiryReminder" | "redemption" | "tierChanged", boolean>;
interface Program {
  enabled: boolean;
  pointsName: Record<string, string>;
  rulesText: Record<string, string>;
  validity: Validity;
  expiryReminderDays: number | null;
  notifications: Switches;
  smsNotifications: Switches;
  defaultLanguage: string;
  templates: Record<string, unknown>;
  clawback: "allow_negative" | "floor_zero";
  holdTtlMinutes: number;
  campaigns: unknown[];
}

const SCENARIOS: Array<[keyof Switches, string]> = [
  ["pointsEarned", "Points earned"], ["pointsAdjusted", "Points added by staff"], ["expiryReminder", "Points about to expire"],
  ["redemption", "Points redeemed"], ["tierChanged", "Tier changed"],
];

const LANGUAGES = (p: Program) => [...new Set(["en", "zh-TW", p.defaultLanguage, ...Object.keys(p.pointsName), ...Object.keys(p.rulesText)])];

export function ProgramScreen(_: ScreenProps) {
  const { api, client } = useSession();
  const canEdit = useCan("admin");
  const loaded = useLoad((): Promise<Program> => unwrap(client.GET("/v1/program")), []);
  const [draft, setDraft] = useState<Program | null>(null);
  const [templates, setTemplates] = useState("");
  const [saved, setSaved] = useState(false);
  const [confirmOff, setConfirmOff] = useState(false);
  const [templatesError, setTemplatesError] = useState<string | undefined>();
  useEffect(() => {
    if (loaded.data) {
      setDraft(loaded.data);
      setTemplates(JSON.stringify(loaded.data.templates, null, 2));
    }
  }, [loaded.data]);

  const save = useAction(async (patch: Partial<Program>) => {
    const next = await api.patch<Program>("/v1/program", patch);
    setDraft(next);
    setTemplates(JSON.stringify(next.templates, null, 2));
    setSaved(true);
  });
  if (!draft) return <Page title="Program"><ErrorBanner error={loaded.error} />{loaded.error ? null : <Loading />}</Page>;
  const set = <K extends keyof Program>(k: K, v: Program[K]) => {
    setSaved(false);
    setDraft({ ...draft, [k]: v });
  };
  const languages = LANGUAGES(draft);
  const fe = save.fieldError;

  async function submit(e: Event) {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(templates || "{}");
      setTemplatesError(undefined);
    } catch (error) {
      setTemplatesError(`not valid JSON: ${(error as Error).message}`);
      return;
    }
    const { enabled: _enabled, ...rest } = draft!;
    await save.run({ ...rest, templates: parsed as Record<string, unknown> });
  }

  return (
    <Page title="Program" intro="How your loyalty program works for everyone: its name, its texts, how long points last and what members are told.">
      <Card title="Points program">
        <p data-program-status>{draft.enabled ? "The program is on: members earn and redeem points." : "The program is off: nothing is earned or redeemed, and members' points are kept."}</p>
        {canEdit ? (
          draft.enabled
            ? <button type="button" class="danger" onClick={() => setConfirmOff(true)}>Turn the program off</button>
            : <button type="button" class="primary" disabled={save.busy} onClick={() => void save.run({ enabled: true })}>Turn the program on</button>
        ) : null}
        <ConfirmDialog open={confirmOff} title="Turn the program off?" confirmLabel="Turn off" danger busy={save.busy}
          onCancel={() => setConfirmOff(false)}
          onConfirm={async () => { if (await save.run({ enabled: false })) setConfirmOff(false); }}>
          Members stop earning and redeeming until you turn it on again. Their points are kept, and orders placed before now still earn as promised.
        </ConfirmDialog>
      </Card>
      <form noValidate onSubmit={submit} aria-label="Program settings">
        <fieldset disabled={!canEdit}>
          <Card title="Names and texts">
            {languages.map((lang) => (
              <div class="row" key={lang}>
                <TextField name={`pointsName.${lang}`} label={`Points name (${lang})`} value={draft.pointsName[lang] ?? ""} error={fe(`pointsName.${lang}`)}
                  onInput={(v) => set("pointsName", omitEmpty({ ...draft.pointsName, [lang]: v }))} />
                <TextArea name={`rulesText.${lang}`} label={`How to earn and use points (${lang})`} rows={3} value={draft.rulesText[lang] ?? ""} error={fe(`rulesText.${lang}`)}
                  onInput={(v) => set("rulesText", omitEmpty({ ...draft.rulesText, [lang]: v }))} />
              </div>
            ))}
            <TextField name="defaultLanguage" label="Language for members who have none" value={draft.defaultLanguage} error={fe("defaultLanguage")} onInput={(v) => set("defaultLanguage", v)} />
          </Card>
          <Card title="Validity">
            <p class="hint">For all ways to earn; a way to earn can set its own. Points already credited keep the expiry they were given.</p>
            <ValidityEditor name="validity" value={draft.validity} fieldError={fe} onChange={(v) => set("validity", v)} />
            <NumberField name="expiryReminderDays" label="Remind members this many days before points expire (empty: no reminder)" min={0}
              value={draft.expiryReminderDays ?? undefined} error={fe("expiryReminderDays")} onInput={(v) => set("expiryReminderDays", v ?? null)} />
          </Card>
          <Card title="Messages to members">
            <table class="switches">
              <thead><tr><th scope="col">When</th><th scope="col">Email</th><th scope="col">SMS</th></tr></thead>
              <tbody>
                {SCENARIOS.map(([k, label]) => (
                  <tr key={k}>
                    <th scope="row">{label}</th>
                    <td><Checkbox name={`notifications.${k}`} label={`Email: ${label}`} checked={draft.notifications[k]} onChange={(v) => set("notifications", { ...draft.notifications, [k]: v })} /></td>
                    <td><Checkbox name={`smsNotifications.${k}`} label={`SMS: ${label}`} checked={draft.smsNotifications[k]} onChange={(v) => set("smsNotifications", { ...draft.smsNotifications, [k]: v })} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <TextArea name="templates" label="Your own message texts (JSON: scenario → language → {subject, body})" rows={6} mono value={templates} error={templatesError ?? fe("templates")}
              hint="Left empty, the built-in English and Traditional Chinese texts are used." onInput={(v) => { setSaved(false); setTemplates(v); }} />
          </Card>
          <Card title="Rules of the ledger">
            <Select name="clawback" label="When a refund takes back more points than the member has" value={draft.clawback} error={fe("clawback")}
              options={[{ value: "allow_negative", label: "Keep the difference as a debt, repaid by new points" }, { value: "floor_zero", label: "Write the difference off" }]}
              onChange={(v) => set("clawback", v)} />
            <NumberField name="holdTtlMinutes" label="Points held at checkout are released after (minutes)" min={1} value={draft.holdTtlMinutes} error={fe("holdTtlMinutes")} onInput={(v) => set("holdTtlMinutes", v ?? 0)} />
          </Card>
          <ErrorBanner error={save.error} fieldsShown />
          {saved ? <Notice>Saved.</Notice> : null}
          {canEdit ? <button type="submit" class="primary" disabled={save.busy}>Save program</button> : null}
        </fieldset>
      </form>
    </Page>
  );
}

function omitEmpty(texts: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(texts).filter(([, v]) => v !== ""));
}
