import { CheckoutPoints } from "./checkout-points.tsx";
import { defineWidget } from "./element.ts";
import { MemberCenter } from "./member-center.tsx";

/**
 * The member centre's one script (SPEC §5): `<script src="…/widget/pointbook.js">` defines
 * `<pointbook-member-center>` and `<pointbook-checkout-points>` on any page.
 */
defineWidget("pointbook-member-center", MemberCenter, ["token-from-hash"]);
defineWidget("pointbook-checkout-points", CheckoutPoints, ["cart", "channel"], ["cart"]);
