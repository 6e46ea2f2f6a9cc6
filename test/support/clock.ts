import type { Clock } from "../../src/core/ports/repositories.ts";

/** A wall clock a test can set; sandbox stores have their own clock on top of it. */
export class TestClock implements Clock {
  constructor(private current = new Date("2026-01-15T12:00:00Z")) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advanceMinutes(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}
