import { unwrap } from "../api.ts";
import { money, points } from "../format.ts";
import { href } from "../router.ts";
import { useSession } from "../session.ts";
import { BarChart } from "../ui/bar-chart.tsx";
import { Card, Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";


export function DashboardScreen(_: ScreenProps) {
  const { client, store } = useSession();
  const d = useLoad(() => unwrap(client.GET("/v1/dashboard", { params: { query: { months: 12 } } })), []);
  const cash = (minor: number) => money(minor, store.currency);
  return (
    <Page title="Dashboard">
      <ErrorBanner error={d.error} />
      {!d.data ? <Loading /> : (
        <>
          <div class="stats">
            <Card><p class="stat-label">Members</p><p class="stat" data-stat="members">{points(d.data.members)}</p></Card>
            <Card>
              <p class="stat-label">Points outstanding</p>
              <p class="stat" data-stat="outstanding">{points(d.data.outstanding.points)}</p>
              <p class="stat-sub">{d.data.outstanding.value ? `worth ${cash(d.data.outstanding.value.amount)} at checkout` : "no cashback method values them in money"}</p>
            </Card>
            <Card><p class="stat-label">Issued this month</p><p class="stat" data-stat="issued">{points(d.data.thisMonth.issued)}</p></Card>
            <Card><p class="stat-label">Redeemed this month</p><p class="stat" data-stat="redeemed">{points(d.data.thisMonth.redeemed)}</p></Card>
            <Card><p class="stat-label">Expired this month</p><p class="stat" data-stat="expired">{points(d.data.thisMonth.expired)}</p></Card>
          </div>
          {d.data.members === 0 ? (
            <Empty title="No members yet" action={<p><a href={href("earn-rules")}>Set up ways to earn</a> · <a href={href("integrations")}>Connect your shop</a> · <a href={href("imports")}>Import members and balances</a></p>}>
              Members appear when your shop sends its first order or event, or when you import them.
            </Empty>
          ) : null}
          <Card title="Points per month">
            <BarChart
              label={`Points issued, redeemed and expired per month, the last ${d.data.months.length} months`}
              categories={d.data.months.map((m) => m.month)}
              series={[
                { name: "Issued", className: "s-issued", values: d.data.months.map((m) => m.issued) },
                { name: "Redeemed", className: "s-redeemed", values: d.data.months.map((m) => m.redeemed) },
                { name: "Expired", className: "s-expired", values: d.data.months.map((m) => m.expired) },
              ]}
              format={points}
            />
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Points per month and outstanding liability</caption>
                <thead><tr><th scope="col">Month</th><th scope="col" class="num">Issued</th><th scope="col" class="num">Redeemed</th><th scope="col" class="num">Expired</th><th scope="col" class="num">Reversed</th><th scope="col" class="num">Outstanding</th><th scope="col" class="num">Liability</th></tr></thead>
                <tbody>
                  {d.data.months.map((m) => (
                    <tr key={m.month}>
                      <th scope="row">{m.month}</th><td class="num">{points(m.issued)}</td><td class="num">{points(m.redeemed)}</td><td class="num">{points(m.expired)}</td>
                      <td class="num">{points(m.reversed)}</td><td class="num">{points(m.outstanding)}</td><td class="num">{m.liability === null ? "—" : cash(m.liability)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      )}
    </Page>
  );
}
