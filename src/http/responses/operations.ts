import { z } from "zod";

export const healthView = z.object({ status: z.literal("ok") });
export const readyView = z.object({ status: z.literal("ready") });
export const unavailableView = z.object({ status: z.literal("unavailable") });
