/**
 * Where an order came from when it was not sent through the API: a CSV import, and whether the
 * import let it earn. Fixed when the order is first recorded and kept for life, so a later update
 * of a historical order (a refund, a late delivery) never makes it earn after all.
 */
export interface OrderOrigin {
  importId: string;
  /** false: a historical order, recorded for tiers, returns and the simulator, earning nothing. */
  award: boolean;
}

/** Whether an order's rules may award it at all: orders imported as history never earn. */
export function mayEarn(origin: OrderOrigin | null | undefined): boolean {
  return origin?.award ?? true;
}
