import * as Y from "yjs";

/**
 * A session's shared minutes: one Y.Text ("minutes") in the Yjs document `session/<id>`,
 * co-edited while the session is open and frozen into committee_sessions.minutes at close.
 */
export const MINUTES_FIELD = "minutes";

export function minutesText(doc: Y.Doc): Y.Text {
  return doc.getText(MINUTES_FIELD);
}

export function readMinutes(doc: Y.Doc): string {
  return minutesText(doc).toString();
}
