import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useCallback } from "react";
import { EmptyState } from "~/components/empty-state";
import { AlertList, BiasTable, DriftTable } from "~/components/monitoring/panels";
import { CentroidShiftPanel } from "~/components/monitoring/centroid-shift";
import { MigrationChord, MigrationTable } from "~/components/monitoring/migration";
import styles from "~/components/monitoring/monitoring.css?url";
import { Notice } from "~/components/notice";
import { useLive } from "~/live/use-live";
import { PageHeader } from "~/components/page-header";
import { areaByPath } from "~/lib/areas";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDateMinute } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

const AREA = areaByPath("/monitoring");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: `${AREA.label} · Quorum` }];

const TRIGGER_LABEL = { demand: "on demand", schedule: "scheduled", publish: "after a publish" } as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, AREA.permission);
  return loadOrFail(request, async () => {
    const overview = await context.trpc.monitoring.overview();
    // Snapshot choices for the migration matrix: every publish time, and now.
    const times = [...new Set(overview.sizes.map((s) => s.publishedAt))].sort();
    const url = new URL(request.url);
    const now = new Date().toISOString();
    const from = url.searchParams.get("from") ?? times[0] ?? null;
    const to = url.searchParams.get("to") ?? now;
    const migration =
      from && from < to ? await context.trpc.monitoring.migration({ from: new Date(from), to: new Date(to) }) : null;
    return {
      ...overview,
      tenantId: me.workspace.tenantId,
      times,
      now,
      from,
      to,
      migration,
      mayRun: me.permissions.includes("monitor:run"),
      mayAcknowledge: me.permissions.includes("monitor:acknowledge"),
      mayConfigure: me.permissions.includes("monitor:configure"),
    };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = field(form, "intent");
  try {
    if (intent === "run-drift" || intent === "run-bias") {
      const { alreadyQueued } = await context.trpc.monitoring.start({
        kind: intent === "run-drift" ? "drift" : "bias",
      });
      return {
        intent,
        ok: true as const,
        message: alreadyQueued
          ? "A run of that kind was already waiting: it will answer this request."
          : "Run queued: results appear here when it finishes.",
      };
    }
    if (intent === "baseline") {
      const { customers } = await context.trpc.monitoring.captureBaseline();
      return {
        intent,
        ok: true as const,
        message: `Today's features of ${customers.toLocaleString("en")} customers are now the drift reference.`,
      };
    }
    if (intent === "acknowledge") {
      await context.trpc.monitoring.acknowledge({ alertId: field(form, "alertId"), comment: field(form, "comment") });
      return { intent, ok: true as const, message: "Alert acknowledged." };
    }
    if (intent === "settings") {
      await context.trpc.monitoring.updateSettings({
        psiWatch: Number(field(form, "psiWatch")),
        psiAct: Number(field(form, "psiAct")),
        schedule: field(form, "schedule") as "off" | "daily" | "weekly",
        proposeOnAct: form.get("proposeOnAct") === "on",
      });
      return { intent, ok: true as const, message: "Monitoring settings saved." };
    }
    return { intent, ok: false as const, message: `Unknown action '${intent}'.`, alertId: null };
  } catch (error) {
    const failure = formFailure(error, request);
    const message =
      failure.formError ??
      Object.entries(failure.fieldErrors)
        .map(([k, v]) => `${k}: ${v}`)
        .join(" ");
    return { intent, ok: false as const, message, alertId: intent === "acknowledge" ? field(form, "alertId") : null };
  }
}

export default function Monitoring() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  // A finished run (anyone's, or the schedule's) reloads the page's figures and alerts.
  const revalidator = useRevalidator();
  const onLive = useCallback(() => {
    if (revalidator.state === "idle") revalidator.revalidate();
  }, [revalidator]);
  useLive(data.tenantId, [`monitoring/${data.tenantId}`], onLive);
  const { drift, bias, baseline, settings } = data;
  const openAlerts = data.alerts.filter((a) => !a.acknowledgedAt).length;
  const nothingYet = !drift && !bias && data.alerts.length === 0 && data.sizes.length === 0 && !baseline;
  return (
    <div className="stack">
      <PageHeader
        title="Monitoring"
        description={`Feature drift, segment migration and bias audits. ${
          openAlerts ? `${openAlerts} open alert${openAlerts === 1 ? "" : "s"}.` : "No open alerts."
        }`}
        actions={
          data.mayRun ? (
            <Form method="post" className="monitor-actions">
              <button type="submit" name="intent" value="run-drift" className="button button--primary" disabled={busy}>
                Check drift now
              </button>
              <button type="submit" name="intent" value="run-bias" className="button button--secondary" disabled={busy}>
                Audit bias now
              </button>
            </Form>
          ) : null
        }
      />
      {result && result.intent !== "acknowledge" ? (
        <Notice tone={result.ok ? "success" : "error"}>{result.message}</Notice>
      ) : null}
      {result?.intent === "acknowledge" && result.ok ? <Notice tone="success">{result.message}</Notice> : null}
      {data.pending.length ? (
        <Notice tone="info">
          {data.pending.map((r) => `A ${r.kind} run (${TRIGGER_LABEL[r.trigger]}) is ${r.status}.`).join(" ")} Reload in
          a moment for its results.
        </Notice>
      ) : null}
      {nothingYet ? (
        <EmptyState icon={AREA.icon} title={AREA.emptyTitle} features={AREA.features}>
          Run a drift check once customer features exist: the first run stores today&apos;s features as the reference,
          and later runs compare with it. Bias audits run after every publish, over attributes marked protected.
        </EmptyState>
      ) : null}

      <section className="card" aria-labelledby="alerts-title">
        <h2 className="card__title" id="alerts-title">
          Alerts
        </h2>
        <p className="card__subtitle">
          Raised when a feature crosses a PSI band or a segment fails the four-fifths rule for a protected attribute. In
          the act band Quorum opens one re-segmentation proposal per affected segment for the committee
          {settings.proposeOnAct ? "" : " (turned off in this workspace)"}.
        </p>
        <AlertList
          alerts={data.alerts}
          mayAcknowledge={data.mayAcknowledge}
          error={
            result && !result.ok && result.intent === "acknowledge" && result.alertId
              ? { alertId: result.alertId, message: result.message }
              : null
          }
        />
      </section>

      <section className="card card--flush" aria-labelledby="drift-title">
        <div className="card__header card__header--padded">
          <div>
            <h2 className="card__title" id="drift-title">
              Feature drift
            </h2>
            <p className="card__subtitle">
              {baseline
                ? `Reference: features of ${baseline.customerCount.toLocaleString(
                    "en"
                  )} customers from ${formatDateMinute(baseline.createdAt)} (${baseline.reason}).`
                : "No reference yet: the first drift run stores today's features as the reference."}
              {drift
                ? ` Last run ${formatDateMinute(drift.run.finishedAt ?? drift.run.createdAt)} (${
                    TRIGGER_LABEL[drift.run.trigger]
                  }).`
                : ""}
            </p>
          </div>
          {data.mayRun && baseline ? (
            <Form method="post">
              <button
                type="submit"
                name="intent"
                value="baseline"
                className="button button--ghost button--sm"
                disabled={busy}
              >
                Use today&apos;s features as the reference
              </button>
            </Form>
          ) : null}
        </div>
        <div className="monitor-explain">
          <p>
            <strong>Read the effect sizes first.</strong> PSI, Jensen–Shannon distance, W1/sd and the KS statistic say
            how far a distribution moved. With thousands of customers even a negligible change gives a tiny p-value, so
            p-values are shown last and never set the band.
          </p>
          <p className="muted">
            Bands: watch from PSI {settings.psiWatch}, act from {settings.psiAct}. PSI uses 10 bins at the
            reference&apos;s deciles (a value on an edge counts in the lower bin), empty bins floored at 0.0001; JS
            distance is base 2 on the same bins; W1 is divided by the reference&apos;s standard deviation; KS p is exact
            up to 10⁷ pairs, asymptotic beyond.
          </p>
        </div>
        {drift && drift.results.length ? (
          <DriftTable rows={drift.results} watch={settings.psiWatch} act={settings.psiAct} />
        ) : (
          <p className="monitor-empty muted">{drift?.run.summary ?? "No drift run has finished yet."}</p>
        )}
      </section>

      <section className="card card--flush" aria-labelledby="bias-title">
        <div className="card__header card__header--padded">
          <div>
            <h2 className="card__title" id="bias-title">
              Bias audit
            </h2>
            <p className="card__subtitle">
              Selection rate of each protected group per segment. Disparate impact (DI) is a group&apos;s rate divided
              by the highest group&apos;s; under 0.8 raises the four-fifths flag — a prompt to look, not a verdict.
              Groups of fewer than 30 people are marked: their rates swing by chance.
              {bias
                ? ` Last audit ${formatDateMinute(bias.run.finishedAt ?? bias.run.createdAt)} (${
                    TRIGGER_LABEL[bias.run.trigger]
                  }).`
                : ""}
            </p>
          </div>
        </div>
        {!data.canSeeProtected && bias?.results.length ? (
          <p className="monitor-explain muted">
            Group values are protected attributes: your role sees the attribute-level figures only.
          </p>
        ) : null}
        {bias && bias.results.length ? (
          <BiasTable rows={bias.results} />
        ) : (
          <p className="monitor-empty muted">{bias?.run.summary ?? "No bias audit has finished yet."}</p>
        )}
      </section>

      <section className="card" aria-labelledby="migration-title">
        <h2 className="card__title" id="migration-title">
          Segment migration
        </h2>
        <p className="card__subtitle">
          Who moved from which segment to which between two membership snapshots. A customer in several segments counts
          in the first by priority.
        </p>
        {data.times.length === 0 ? (
          <p className="muted">No segment has been published yet.</p>
        ) : (
          <>
            <Form method="get" className="monitor-migration-form">
              <label className="field">
                <span className="field__label">From</span>
                <select name="from" className="input" defaultValue={data.from ?? undefined}>
                  {data.times.map((t) => (
                    <option key={t} value={t}>
                      {formatDateMinute(t)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span className="field__label">To</span>
                <select name="to" className="input" defaultValue={data.times.includes(data.to) ? data.to : data.now}>
                  {data.times.map((t) => (
                    <option key={t} value={t}>
                      {formatDateMinute(t)}
                    </option>
                  ))}
                  <option value={data.now}>Now</option>
                </select>
              </label>
              <button type="submit" className="button button--secondary">
                Compare
              </button>
            </Form>
            {data.migration ? (
              <div className="monitor-migration">
                <MigrationTable m={data.migration} />
                <MigrationChord m={data.migration} />
                <p className="muted">
                  Over {data.migration.days.toFixed(1)} days; “moved out” is the decay of each segment over that period.
                </p>
              </div>
            ) : (
              <p className="muted">Choose a “from” date before the “to” date.</p>
            )}
          </>
        )}
        {data.sizes.length ? (
          <details className="monitor-sizes">
            <summary>Segment size at every published version</summary>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Published</th>
                    <th scope="col">Segment</th>
                    <th scope="col" className="num">
                      Version
                    </th>
                    <th scope="col" className="num">
                      Members
                    </th>
                    <th scope="col" className="num">
                      Share of customers today
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.sizes.map((s) => (
                    <tr key={`${s.segmentId}/${s.version}`}>
                      <td>{formatDateMinute(s.publishedAt)}</td>
                      <td>{s.name}</td>
                      <td className="num">{s.version}</td>
                      <td className="num">{s.memberCount.toLocaleString("en")}</td>
                      <td className="num">{(s.shareToday * 100).toFixed(1)}%</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        ) : null}
      </section>

      <section className="card" aria-labelledby="centroid-title">
        <h2 className="card__title" id="centroid-title">
          Centroid shift
        </h2>
        <p className="card__subtitle">
          Segments that select a cluster of a model run: the distance between the cluster&apos;s centroid at the run and their current
          members&apos; mean, feature by feature in the run&apos;s standard deviations (sd over the customers it clustered), and in all
          (the square root of the sum of squares). From 0.5 sd it is marked: the segment no longer sits where its cluster did.
        </p>
        <CentroidShiftPanel shifts={data.centroidShifts} />
      </section>

      {data.mayConfigure ? (
        <section className="card" aria-labelledby="monitor-settings-title">
          <h2 className="card__title" id="monitor-settings-title">
            Settings
          </h2>
          <Form method="post" className="monitor-settings">
            <input type="hidden" name="intent" value="settings" />
            <label className="field">
              <span className="field__label">Watch band from PSI</span>
              <input
                className="input"
                type="number"
                name="psiWatch"
                step="0.01"
                min="0.01"
                max="10"
                defaultValue={settings.psiWatch}
                required
              />
            </label>
            <label className="field">
              <span className="field__label">Act band from PSI</span>
              <input
                className="input"
                type="number"
                name="psiAct"
                step="0.01"
                min="0.01"
                max="10"
                defaultValue={settings.psiAct}
                required
              />
            </label>
            <label className="field">
              <span className="field__label">Run drift and bias on their own</span>
              <select className="input" name="schedule" defaultValue={settings.schedule}>
                <option value="daily">Daily</option>
                <option value="weekly">Weekly</option>
                <option value="off">Off (on demand and after publishing only)</option>
              </select>
            </label>
            <label className="monitor-settings__check">
              <input type="checkbox" name="proposeOnAct" defaultChecked={settings.proposeOnAct} /> Open a
              re-segmentation proposal when a segment&apos;s features reach the act band
            </label>
            <button type="submit" className="button button--secondary" disabled={busy}>
              Save settings
            </button>
          </Form>
        </section>
      ) : null}

      {data.runs.length ? (
        <section className="card card--flush" aria-labelledby="runs-title">
          <h2 className="card__title card__header--padded" id="runs-title">
            Recent runs
          </h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Status</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">
                    <span className="visually-hidden">Report</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.runs.map((r) => (
                  <tr key={r.id}>
                    <td>{formatDateMinute(r.createdAt)}</td>
                    <td>{r.kind === "drift" ? "Drift" : "Bias"}</td>
                    <td>{TRIGGER_LABEL[r.trigger]}</td>
                    <td>{r.status}</td>
                    <td className="monitor-runs__summary">{r.error ?? r.summary ?? "—"}</td>
                    <td>
                      {r.status === "completed" ? (
                        <a href={`/monitoring/runs/${r.id}.csv`} download>
                          CSV
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
