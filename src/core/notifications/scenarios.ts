/** The moments a member may be told about (SPEC §3 Member notifications). */
export const SCENARIOS = ["pointsEarned", "pointsAdjusted", "expiryReminder", "redemption", "tierChanged"] as const;
export type Scenario = (typeof SCENARIOS)[number];
