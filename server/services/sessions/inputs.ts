import { z } from "zod";

/** Inputs of the session services (zod is the single source of truth for them). */

const ZTimeBox = z.coerce
  .number({ message: "must be a number of minutes" })
  .int({ message: "must be a whole number of minutes" })
  .min(1, { message: "must be at least 1 minute" })
  .max(240, { message: "must be at most 240 minutes" });

export const ZAgendaItemInput = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("proposal"), proposalId: z.uuid({ message: "choose a submitted proposal" }), timeBoxMinutes: ZTimeBox }),
    z.object({ kind: z.literal("swot"), segmentId: z.uuid({ message: "choose a segment's SWOT board" }), timeBoxMinutes: ZTimeBox }),
    z.object({
      kind: z.literal("topic"),
      title: z.string({ message: "is required" }).trim().min(1, { message: "say what the topic is" }).max(300, { message: "must be at most 300 characters" }),
      timeBoxMinutes: ZTimeBox,
    }),
  ],
  { message: "must be a proposal, a SWOT board or a topic" },
);
export type AgendaItemInput = z.infer<typeof ZAgendaItemInput>;

export const ZScheduleInput = z.object({
  title: z.string({ message: "is required" }).trim().min(1, { message: "is required" }).max(200, { message: "must be at most 200 characters" }),
  scheduledAt: z.coerce.date({ message: "must be a date and time such as 2026-12-01T09:30" }),
  items: z
    .array(ZAgendaItemInput)
    .min(1, { message: "add at least one agenda item" })
    .max(30, { message: "can hold at most 30 items" }),
});

export const ZSessionIdInput = z.object({ sessionId: z.uuid({ message: "is not a session id" }) });
export const ZUpdateInput = ZScheduleInput.extend({ sessionId: z.uuid({ message: "is not a session id" }) });
export const ZMoveInput = ZSessionIdInput.extend({ itemId: z.uuid({ message: "is not an agenda item id" }) });
export const ZCloseInput = ZSessionIdInput.extend({
  /** The closing editor's Yjs state vector (base64): the minutes must be stored up to it. */
  stateVector: z.base64({ message: "must be a base64 state vector" }).max(100_000).optional(),
});
export const ZProposalSessionsInput = z.object({ proposalId: z.uuid({ message: "is not a proposal id" }) });
