/**
 * Who the order's member was when the order was first recorded (isMember, tier, guest checkout):
 * rule audiences read it for the order's whole life. Orders recorded before have none; their next
 * update takes it.
 */
export const sql = `
ALTER TABLE orders ADD COLUMN eligibility jsonb;
`;
