/** Coupon codes issued for points, and how much of a redemption was given back on refunds. */
export const sql = `
CREATE TABLE coupons (
  store_id       text NOT NULL REFERENCES stores(id),
  code           text NOT NULL,
  member_id      text NOT NULL,
  method_id      text NOT NULL,
  redemption_id  text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('coupon', 'product')),
  discount       jsonb NOT NULL,
  conditions     jsonb NOT NULL,
  usable_by      text NOT NULL CHECK (usable_by IN ('owner', 'anyone')),
  products       jsonb,
  stackable      boolean NOT NULL,
  expires_at     timestamptz,
  used_at        timestamptz,
  used_order_id  text,
  used_by        text,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (store_id, code)
);
CREATE INDEX coupons_member ON coupons (store_id, member_id);

ALTER TABLE redemptions ADD COLUMN code text;
ALTER TABLE redemptions ADD COLUMN returned bigint NOT NULL DEFAULT 0;
ALTER TABLE redemptions DROP CONSTRAINT redemptions_status_check;
ALTER TABLE redemptions ADD CONSTRAINT redemptions_status_check CHECK (status IN ('held', 'completed', 'released', 'returned'));
CREATE INDEX redemptions_order ON redemptions (store_id, order_id);
`;
