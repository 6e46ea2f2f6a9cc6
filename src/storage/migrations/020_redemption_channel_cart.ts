/**
 * What a redemption was judged on, for a replay to judge it again the same way: the channel it came
 * through, and the checkout cart it carried (a cashback's limits are judged on it when the order is
 * not recorded yet). Null for redemptions made before: the replay then says what it assumes.
 */
export const sql = `
ALTER TABLE redemptions ADD COLUMN channel text;
ALTER TABLE redemptions ADD COLUMN cart jsonb;
`;
