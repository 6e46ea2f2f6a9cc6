import { unwrap } from "../api.ts";
import { useState } from "preact/hooks";
import { dateTime } from "../format.ts";
import { useSession } from "../session.ts";
import { TextField } from "../ui/fields.tsx";
import { Card, ErrorBanner, Loading, Notice, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

interface Delivery { deliveryId: string; topic: string; result: string; error: string | null; receivedAt: string }
interface Integration { platform: "shopify" | "woocommerce"; shopDomain?: string; siteUrl?: string; webhookPath: string; connectedAt: string; recentDeliveries: Delivery[] }

export function IntegrationsScreen(_: ScreenProps) {
  const { client } = useSession();
  const list = useLoad(() => unwrap(client.GET("/v1/integrations")), []);
  const find = (p: Integration["platform"]) => list.data?.data.find((i) => i.platform === p);
  return (
    <Page title="Integrations" intro="Connect your shop: its orders and customers then arrive by the platform's own webhooks, signed with the secret you give here.">
      <ErrorBanner error={list.error} />
      {!list.data ? <Loading /> : (
        <>
          <Connect platform="shopify" title="Shopify" existing={find("shopify")} addressField="shopDomain" addressLabel="Shop domain (…myshopify.com)" onSaved={list.reload}
            how="In Shopify: Settings → Notifications → Webhooks. Use the signing key shown there, and create webhooks for orders (create, updated, paid, fulfilled, cancelled), refunds/create and customers (create, update) to the address below." />
          <Connect platform="woocommerce" title="WooCommerce" existing={find("woocommerce")} addressField="siteUrl" addressLabel="Site URL" onSaved={list.reload}
            how="In WordPress: WooCommerce → Settings → Advanced → Webhooks. Add webhooks for Order created, updated and deleted and Customer created and updated, to the address below, with the same secret, API version v3." />
        </>
      )}
    </Page>
  );
}

function Connect(props: { platform: Integration["platform"]; title: string; existing: Integration | undefined; addressField: "shopDomain" | "siteUrl"; addressLabel: string; how: string; onSaved(): void }) {
  const { client, store } = useSession();
  const [address, setAddress] = useState(props.existing?.[props.addressField] ?? "");
  const [secret, setSecret] = useState("");
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    if (props.platform === "shopify") await unwrap(client.PUT("/v1/integrations/shopify", { body: { shopDomain: address, webhookSecret: secret } }));
    else await unwrap(client.PUT("/v1/integrations/woocommerce", { body: { siteUrl: address, webhookSecret: secret } }));
    setSecret("");
    setSaved(true);
    props.onSaved();
  });
  const webhookUrl = `${location.origin}/hooks/${props.platform}/${store.id}`;
  return (
    <Card title={props.title}>
      <p>{props.existing ? `Connected since ${dateTime(props.existing.connectedAt, store.timezone)}.` : "Not connected."} {props.how}</p>
      <p>Webhook address: <code data-webhook-url>{webhookUrl}</code></p>
      <form class="row" noValidate aria-label={`Connect ${props.title}`} onSubmit={(e) => { e.preventDefault(); setSaved(false); void save.run(); }}>
        <TextField name={props.addressField} label={props.addressLabel} required value={address} error={save.fieldError(props.addressField)} onInput={setAddress} />
        <TextField name="webhookSecret" label={props.existing ? "New webhook secret" : "Webhook secret"} type="password" autoComplete="off" required value={secret} error={save.fieldError("webhookSecret")} onInput={setSecret} />
        <button type="submit" class="primary" disabled={save.busy}>{props.existing ? "Update" : "Connect"}</button>
      </form>
      <ErrorBanner error={save.error} fieldsShown />
      {saved ? <Notice>Saved.</Notice> : null}
      {props.existing && props.existing.recentDeliveries.length > 0 ? (
        <div class="table-wrap">
          <table aria-label={`${props.title} deliveries`}>
            <thead><tr><th scope="col">Received</th><th scope="col">Topic</th><th scope="col">Result</th><th scope="col">Error</th></tr></thead>
            <tbody>{props.existing.recentDeliveries.map((d) => <tr key={d.deliveryId}><td>{dateTime(d.receivedAt, store.timezone)}</td><td>{d.topic}</td><td>{d.result}</td><td>{d.error ?? ""}</td></tr>)}</tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}
