/** "q4-steering-committee-2026-12-01": a download's name from the session's title and date. */
export function summaryFileName(title: string, at: Date): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-")
    .slice(0, 60);
  return `${slug || "session"}-${at.toISOString().slice(0, 10)}`;
}
