import type { FunctionComponent } from "preact";
import type { Role } from "../session.ts";

/** What every screen is given: the route after its own path (`#/members/alice` → `["alice"]`). */
export interface ScreenProps {
  route: string[];
}

export interface ScreenEntry {
  path: string;
  title: string;
  component: FunctionComponent<ScreenProps>;
  /** Screens only this role and above see at all (the others hide their buttons by role). */
  role?: Role;
  sandboxOnly?: boolean;
}
