import { AuditLogScreen } from "./audit-log.tsx";
import { ClockScreen } from "./clock.tsx";
import { DashboardScreen } from "./dashboard.tsx";
import { EarnRulesScreen } from "./earn-rules.tsx";
import { ExportsScreen } from "./exports.tsx";
import { ImportsScreen } from "./imports.tsx";
import { IntegrationsScreen } from "./integrations.tsx";
import { KeysScreen } from "./keys.tsx";
import { MembersScreen } from "./members.tsx";
import { OrdersScreen } from "./orders.tsx";
import { ProgramScreen } from "./program.tsx";
import { RedeemMethodsScreen } from "./redeem-methods.tsx";
import { SimulatorScreen } from "../simulator/screen.tsx";
import { TiersScreen } from "./tiers.tsx";
import { WebhooksScreen } from "./webhooks.tsx";

export type { ScreenEntry, ScreenProps } from "./screen.ts";
import type { ScreenEntry } from "./screen.ts";

export const screens: ScreenEntry[] = [
  { path: "dashboard", title: "Dashboard", component: DashboardScreen },
  { path: "members", title: "Members", component: MembersScreen },
  { path: "orders", title: "Orders", component: OrdersScreen },
  { path: "program", title: "Program", component: ProgramScreen },
  { path: "earn-rules", title: "Ways to earn", component: EarnRulesScreen },
  { path: "redeem-methods", title: "Ways to redeem", component: RedeemMethodsScreen },
  { path: "tiers", title: "Tiers", component: TiersScreen },
  { path: "audit-log", title: "Audit log", component: AuditLogScreen },
  { path: "exports", title: "Exports", component: ExportsScreen },
  { path: "simulator", title: "Simulator", component: SimulatorScreen, role: "admin" },
  { path: "imports", title: "Imports", component: ImportsScreen, role: "admin" },
  { path: "integrations", title: "Integrations", component: IntegrationsScreen, role: "admin" },
  { path: "webhooks", title: "Webhooks", component: WebhooksScreen, role: "admin" },
  { path: "keys", title: "Staff keys", component: KeysScreen, role: "admin" },
  { path: "clock", title: "Test clock", component: ClockScreen, role: "admin", sandboxOnly: true },
];
