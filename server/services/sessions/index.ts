export {
  scheduleSession,
  updateSession,
  cancelSession,
  listSessions,
  agendaOptions,
  getSession,
  startSession,
  moveToItem,
  closeSession,
  sessionsForProposal,
} from "./sessions";
export { ZScheduleInput, ZUpdateInput, ZSessionIdInput, ZMoveInput, ZCloseInput, ZProposalSessionsInput, ZAgendaItemInput, type AgendaItemInput } from "./inputs";
export { sessionDocName, sessionTopic, proposalTopic } from "./access";
export { sessionMarkdown, sessionSummary, outcomeInWords, durationInWords, utcMinute, type SessionView, type SummaryBlock } from "./export";
