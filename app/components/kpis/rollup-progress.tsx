import { Form, useLocation } from "@remix-run/react";
import { Notice } from "~/components/notice";
import { ProgressBar } from "~/components/progress-bar";
import { formatDateMinute } from "~/lib/format";
import type { KpiStatusView } from "../../../server/services/kpis/types";

const TRIGGER = { import: "an import", publish: "a publish", rebuild: "a rebuild", definition: "a KPI change" } as const;

/** Whether a roll-up run is waiting or under way (the page then follows its progress). */
export function rollupActive(status: KpiStatusView): boolean {
  return status.latest?.status === "queued" || status.latest?.status === "running";
}

/** The latest roll-up run: progress while it runs, the reason when it failed, when the figures are from. */
export function RollupStatus({ status, compact = false }: { status: KpiStatusView; compact?: boolean }) {
  const run = status.latest;
  if (run && rollupActive(status)) {
    return (
      <div className="rollup-status" aria-live="polite">
        <ProgressBar
          label={compact ? `Updating roll-ups after ${TRIGGER[run.trigger]}` : "Roll-ups are being computed"}
          value={run.status === "queued" ? null : run.progress}
          detail={run.status === "queued" ? "Waiting for a worker…" : (run.step ?? "Starting…")}
        />
      </div>
    );
  }
  if (run?.status === "failed") {
    return (
      <Notice tone="error" title="The last roll-up failed">
        {run.error ?? "No reason was recorded."}{" "}
        {status.lastCompleted?.finishedAt
          ? `The figures shown are from ${formatDateMinute(status.lastCompleted.finishedAt)}.`
          : "No roll-up has completed yet."}
      </Notice>
    );
  }
  return null;
}

/**
 * "Rebuild roll-ups": recomputes every KPI of every segment and period (kpi:configure), then
 * comes back to this page, which follows the run's progress.
 */
export function RebuildButton({ disabled, variant = "secondary" }: { disabled: boolean; variant?: "primary" | "secondary" }) {
  const location = useLocation();
  return (
    <Form method="post" action="/dashboards/kpis" className="no-print">
      <input type="hidden" name="intent" value="rebuild" />
      <input type="hidden" name="returnTo" value={`${location.pathname}${location.search}`} />
      <button type="submit" className={`button button--${variant} button--sm`} disabled={disabled}>
        Rebuild roll-ups
      </button>
    </Form>
  );
}
