import type { z } from "zod";
import type { orderLineSchema } from "../orders/order.ts";

/** An order line as a platform mapping builds it, before the order is validated. */
export type OrderLineInput = z.input<typeof orderLineSchema>;
