import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { KSelectionCharts } from "~/components/charts/k-selection-chart";
import { PcaScatter } from "~/components/charts/pca-scatter";
import { ProfileHeatmap } from "~/components/charts/profile-heatmap";
import { ClusterCard } from "~/components/models/cluster-card";
import { DeleteRun } from "~/components/models/delete-run";
import { ExplanationPanel } from "~/components/models/explanation-panel";
import { FixedGroupsPanel } from "~/components/models/fixed-groups-panel";
import { WardDendrogram } from "~/components/models/ward-dendrogram";
import { LcaPanel } from "~/components/models/lca-panel";
import { SomMap } from "~/components/models/som-map";
import { ProposeCluster } from "~/components/models/propose-cluster";
import { RunStatusBadge } from "~/components/models/run-status-badge";
import { StabilityPanel } from "~/components/models/stability-panel";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { ProgressBar } from "~/components/progress-bar";
import { SubmitButton } from "~/components/submit-button";
import { errorPage, field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDateMinute, formatTime, plural } from "~/lib/format";
import { algorithmLabel, clusterLabel, formatKRange, formatMetric, formatP, isRunActive, transformLabel } from "~/lib/models";
import { requirePermission } from "~/lib/session.server";
import { usePolling } from "~/lib/use-polling";
import { clusterRulesAsDefinition } from "../../server/services/models/explanation";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `${algorithmLabel(data.run.algorithm)} on ${plural(data.features.length, "feature", "features")}` : "Model run"} · Models · Quorum` },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function runIdOf(params: { runId?: string }): string {
  const id = params.runId ?? "";
  if (!UUID.test(id)) throw errorPage(404, "That model run was not found in this workspace.");
  return id;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "model:read");
  const runId = runIdOf(params);
  return loadOrFail(request, async () => {
    const [detail, members] = await Promise.all([context.trpc.models.get({ runId }), context.trpc.members.list()]);
    const creator = members.find((m) => m.userId === detail.run.createdBy);
    return {
      ...detail,
      createdByName: creator?.name ?? null,
      canRun: me.permissions.includes("model:run"),
      canPropose: me.permissions.includes("segment:propose"),
    };
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const runId = runIdOf(params);
  const form = await request.formData();
  const intent = field(form, "intent");
  if (intent === "propose" || intent === "proposeRules") {
    await requirePermission(request, context, "segment:propose");
    const cluster = Number(field(form, "cluster"));
    const name = field(form, "name").trim();
    if (!name) return { intent, cluster, ok: false as const, formError: "Give the segment a name." };
    try {
      const { run } = await context.trpc.models.get({ runId });
      // "proposeRules": the decision-tree rules of the cluster (explanation panel) instead of cluster membership.
      const tree = intent === "proposeRules" ? run.explanation : null;
      if (intent === "proposeRules" && !tree) return { intent, cluster, ok: false as const, formError: "This run has no rules to propose." };
      const created = await context.trpc.segments.createProposal({
        kind: "create",
        name,
        description: tree
          ? `Customers matching the decision-tree rules of cluster ${cluster} of the model run of ${formatDateMinute(run.createdAt)} (${algorithmLabel(run.algorithm)}, k = ${run.chosenK}); the rules give ${Math.round(tree.accuracy * 100)}% of the run's customers their own cluster.`
          : `Customers in cluster ${cluster} of the model run of ${formatDateMinute(run.createdAt)} (${algorithmLabel(run.algorithm)}, k = ${run.chosenK}).`,
        rules: tree ? clusterRulesAsDefinition(tree, cluster) : { combinator: "and", children: [{ op: "in_cluster", modelRunId: runId, cluster }] },
      });
      return redirect(`/segments/proposals/${created.proposalId}`);
    } catch (error) {
      const failure = formFailure(error, request);
      const message = failure.formError ?? Object.values(failure.fieldErrors)[0] ?? "The proposal could not be created.";
      return { intent, cluster, ok: false as const, formError: message };
    }
  }
  await requirePermission(request, context, "model:run");
  if (intent === "chooseK") {
    try {
      const started = await context.trpc.models.chooseK({ runId, k: Number(field(form, "k")) });
      return redirect(`/models/${started.runId}`);
    } catch (error) {
      return { intent, cluster: null, ok: false as const, formError: formFailure(error, request).formError ?? "The run could not be started." };
    }
  }
  if (intent === "delete") {
    try {
      await context.trpc.models.delete({ runId });
      return redirect("/models");
    } catch (error) {
      return { intent, cluster: null, ok: false as const, formError: formFailure(error, request).formError ?? "The run could not be deleted." };
    }
  }
  if (intent !== "cancel") return { intent, cluster: null, ok: false as const, formError: "Unknown action. Reload the page and try again." };
  try {
    await context.trpc.models.cancel({ runId });
    return { intent, cluster: null, ok: true as const, formError: null };
  } catch (error) {
    return { intent, cluster: null, ok: false as const, formError: formFailure(error, request).formError ?? "The run could not be cancelled." };
  }
}

type Detail = ReturnType<typeof useLoaderData<typeof loader>>;

function RunProgress({ run, canRun }: { run: Detail["run"]; canRun: boolean }) {
  const result = useActionData<typeof action>();
  const [confirming, setConfirming] = useState(false);
  const cancelling = run.cancelRequested || (result?.intent === "cancel" && result.ok);
  return (
    <section className="card" aria-labelledby="progress-title" aria-live="polite" aria-busy="true">
      <div className="card__header">
        <div>
          <h2 id="progress-title" className="card__title">
            {run.status === "queued" ? "Queued" : "Running"}
          </h2>
          <p className="card__subtitle">
            {run.startedAt ? `Started at ${formatTime(run.startedAt)}. ` : ""}
            You can leave this page: the run carries on in the background and its results appear here when it is done.
          </p>
        </div>
      </div>
      <ProgressBar
        label={run.progressMessage ?? (run.status === "queued" ? "Waiting for a worker" : "Running")}
        value={run.status === "queued" ? null : run.progress}
      />
      {cancelling ? (
        <p className="progress__note" role="status">
          Cancelling: the run stops after the k it is fitting now and keeps no results.
        </p>
      ) : null}
      {canRun && !cancelling ? (
        <div className="progress__actions">
          {result?.intent === "cancel" && !result.ok ? (
            <p className="field__error" role="alert">
              {result.formError}
            </p>
          ) : null}
          {confirming ? (
            <Form method="post" className="inline-panel inline-panel--danger" onKeyDown={(e) => e.key === "Escape" && setConfirming(false)}>
              <p>Stop this run? Nothing from it is kept; you can start it again with the same settings.</p>
              <div className="inline-panel__actions">
                <SubmitButton intent="cancel" variant="danger" size="sm" pendingLabel="Cancelling…">
                  Cancel run
                </SubmitButton>
                <button type="button" className="button button--ghost button--sm" autoFocus onClick={() => setConfirming(false)}>
                  Keep running
                </button>
              </div>
            </Form>
          ) : (
            <button type="button" className="button button--secondary" onClick={() => setConfirming(true)}>
              Cancel run…
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}

function Parameters({ detail }: { detail: Detail }) {
  const { run, features, createdByName } = detail;
  const snapshot = run.dataSnapshot;
  return (
    <section className="card" aria-labelledby="params-title">
      <h2 id="params-title" className="card__title">
        Parameters and data
      </h2>
      <p className="card__subtitle">Everything needed to reproduce this run: the same settings on the same data give the same clusters.</p>
      <div className="run-facts">
        <dl className="details-list details-list--inline">
          <div>
            <dt>Algorithm</dt>
            <dd>
              {run.algorithm === "gmm"
                ? "Gaussian mixture, full covariance (EM from k-means starts; best log-likelihood of the restarts)"
                : run.algorithm === "dbscan"
                  ? `DBSCAN (eps = ${run.params.eps}, minPts = ${run.params.minPts}, Euclidean on the transformed features)`
                  : run.algorithm === "lca"
                    ? "Latent class analysis (EM on the categorical answers, seeded random starts, best log-likelihood of the restarts)"
                    : run.algorithm === "som"
                      ? `Self-organizing map (${run.params.somResult ? `${run.params.somResult.rows} × ${run.params.somResult.cols}` : run.params.somGrid ? `${run.params.somGrid.rows} × ${run.params.somGrid.cols}` : "grid from the number of customers"}, batch training) with k-means on its nodes`
                      : run.algorithm === "ward"
                    ? run.params.wardResult?.method === "centroids"
                      ? `Ward hierarchical (exact Ward on ${run.params.wardResult.units} k-means micro-clusters weighted by size; every customer takes its micro-cluster's cluster)`
                      : "Ward hierarchical (exact Ward on every customer; one tree cut at each k)"
                    : "k-means (k-means++ seeding)"}
            </dd>
          </div>
          <div>
            <dt>k tried</dt>
            <dd>{formatKRange(run.params.kMin, run.params.kMax)}</dd>
          </div>
          <div>
            <dt>Seed</dt>
            <dd>{run.params.seed}</dd>
          </div>
          <div>
            <dt>Restarts per k</dt>
            <dd>{run.params.restarts}</dd>
          </div>
          <div>
            <dt>Started by</dt>
            <dd>{createdByName ?? "A former member"}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDateMinute(run.createdAt)}</dd>
          </div>
          {run.finishedAt ? (
            <div>
              <dt>Finished</dt>
              <dd>{formatDateMinute(run.finishedAt)}</dd>
            </div>
          ) : null}
          <div>
            <dt>Code version</dt>
            <dd>
              <code className="code-pill">{run.codeVersion.slice(0, 12)}</code>
            </dd>
          </div>
          {snapshot ? (
            <>
              <div>
                <dt>Customers clustered</dt>
                <dd>
                  {snapshot.usedCount.toLocaleString("en-GB")}
                  <span className="muted"> of {snapshot.customerCount.toLocaleString("en-GB")} active</span>
                </dd>
              </div>
              {snapshot.referenceDate ? (
                <div>
                  <dt>Features as of</dt>
                  <dd>{snapshot.referenceDate}</dd>
                </div>
              ) : null}
              {snapshot.featuresComputedAt ? (
                <div>
                  <dt>Features computed</dt>
                  <dd>{formatDateMinute(snapshot.featuresComputedAt)}</dd>
                </div>
              ) : null}
            </>
          ) : null}
        </dl>
        <div className="table-wrap table-wrap--inset">
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">Feature</th>
                <th scope="col">Transform</th>
              </tr>
            </thead>
            <tbody>
              {features.map((f) => (
                <tr key={f.field}>
                  <td>{f.label}</td>
                  <td>{transformLabel(f.transform)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function KSelection({ detail }: { detail: Detail }) {
  const { recommendation } = detail;
  const gmm = detail.run.params.gmmResults;
  const results = detail.results.map((r) => ({ ...r, bic: gmm?.find((m) => m.k === r.k)?.bic }));
  const sampled = results.find((r) => r.silhouetteSampled);
  return (
    <section className="card" aria-labelledby="k-title">
      <div className="card__header card__header--wrap">
        <div>
          <h2 id="k-title" className="card__title">
            How many clusters?
          </h2>
          <p className="card__subtitle">
            Each k from {formatKRange(detail.run.params.kMin, detail.run.params.kMax)} was fitted and scored on the
            transformed features.
          </p>
        </div>
        <DownloadButton href={`/models/${detail.run.id}/metrics.csv`} small>Metrics CSV</DownloadButton>
      </div>
      {gmm ? (
        <p className="muted small chart-intro">
          Gaussian mixture: inertia, silhouette, Calinski–Harabasz and Davies–Bouldin score each customer&apos;s most likely
          cluster (comparable with k-means); the BIC scores the mixture itself and decides the recommended k.
        </p>
      ) : null}
      {recommendation ? (
        <div className="recommendation" role="note">
          <span className="recommendation__k">Recommended k = {recommendation.k}</span>
          <span>{recommendation.reason}.</span>
          <span className="muted small">Rule: {recommendation.rule}.</span>
        </div>
      ) : null}
      <p className="muted small chart-intro">
        {sampled
          ? `Silhouette computed on a random sample of ${(sampled.silhouetteSampleSize ?? 0).toLocaleString("en-GB")} customers (of ${(
              detail.run.n ?? 0
            ).toLocaleString("en-GB")}); the other metrics use every customer.`
          : "Every metric uses every customer clustered (silhouette exact, not sampled)."}
      </p>
      <KSelectionCharts scores={results} recommendedK={recommendation?.k ?? null} />
      <div className="table-wrap table-wrap--inset k-table">
        <table className="table table--compact metrics-table">
          <thead>
            <tr>
              <th scope="col">k</th>
              <th scope="col" className="num">
                Inertia
              </th>
              <th scope="col" className="num">
                Silhouette
              </th>
              <th scope="col" className="num">
                Calinski–Harabasz
              </th>
              <th scope="col" className="num">
                Davies–Bouldin
              </th>
              {gmm ? (
                <th scope="col" className="num">
                  BIC
                </th>
              ) : null}
              <th scope="col">Cluster sizes</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.k} className={r.k === recommendation?.k ? "is-chosen" : undefined}>
                <td>
                  {r.k}
                  {r.k === recommendation?.k ? <span className="tag">recommended</span> : null}
                </td>
                <td className="num">{formatMetric(r.inertia, "inertia")}</td>
                <td className="num">
                  {formatMetric(r.silhouette, "silhouette")}
                  {r.silhouetteSampled ? <span className="muted" title="Computed on a sample">*</span> : null}
                </td>
                <td className="num">{formatMetric(r.calinskiHarabasz, "calinskiHarabasz")}</td>
                <td className="num">{formatMetric(r.daviesBouldin, "daviesBouldin")}</td>
                {gmm ? <td className="num">{formatMetric(r.bic, "bic")}</td> : null}
                <td className="muted small">{r.sizes.map((s) => s.toLocaleString("en-GB")).join(" · ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Gaussian-mixture runs: the mean of each cluster's customers' largest membership probability at k. */
function MembershipClarity({ detail, k }: { detail: Detail; k: number }) {
  const metrics = detail.run.params.gmmResults?.find((m) => m.k === k);
  if (!metrics) return null;
  const names = new Map(detail.clusters.filter((c) => c.k === k).map((c) => [c.cluster, c.suggestedName]));
  return (
    <section className="card" aria-labelledby="clarity-title">
      <h2 id="clarity-title" className="card__title">
        How clearly customers belong (k = {k})
      </h2>
      <p className="card__subtitle">
        A Gaussian mixture gives every customer a probability for each cluster. Per cluster: the average, over its
        customers, of the probability of the cluster they were put in. Near 100% means clear-cut members; lower means the
        cluster overlaps its neighbours.
      </p>
      <div className="table-wrap table-wrap--inset">
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col" className="num">
                Mean membership probability
              </th>
            </tr>
          </thead>
          <tbody>
            {metrics.meanMaxResponsibility.map((r, i) => (
              <tr key={i}>
                <td>
                  {clusterLabel(i + 1)}
                  {names.get(i + 1) ? <span className="muted"> · {names.get(i + 1)}</span> : null}
                </td>
                <td className="num">
                  <meter min={0} max={1} value={r} aria-label={`${clusterLabel(i + 1)}: ${Math.round(r * 100)}%`} />{" "}
                  {(r * 100).toFixed(1)}%
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Log-likelihood {metrics.logLikelihood.toFixed(1)} · BIC {metrics.bic.toFixed(1)} · AIC {metrics.aic.toFixed(1)} · {metrics.iterations} EM
        iterations{metrics.converged ? "" : " (stopped at the limit before converging)"}.
      </p>
    </section>
  );
}

function Profiles({ detail, k }: { detail: Detail; k: number }) {
  const result = useActionData<typeof action>();
  const labels = new Map(detail.profileColumns.map((f) => [f.field, f.label]));
  const clusters = detail.clusters.filter((c) => c.k === k);
  const total = clusters.reduce((s, c) => s + c.size, 0);
  const fields = detail.profileColumns.map((f) => f.field);
  const ks = [...new Set(detail.clusters.map((c) => c.k))].sort((a, b) => a - b);
  const chosen = detail.run.chosenK;
  const tests = fields.map((f) => {
    const p = clusters[0]?.profile.find((x) => x.feature === f);
    return { field: f, label: labels.get(f) ?? f, h: p?.kruskalWallisH ?? null, p: p?.kruskalWallisP ?? null };
  });
  return (
    <section className="card stack" aria-labelledby="profiles-title">
      <div className="card__header card__header--wrap">
        <div>
          <h2 id="profiles-title" className="card__title">
            Clusters at k = {k} <span className="count">{clusters.length}</span>
          </h2>
          <p className="card__subtitle">
            What sets each cluster apart: its mean and median of every feature (in the feature's own units) and how many
            standard deviations its mean sits from the whole base.
          </p>
        </div>
        {ks.length > 1 ? (
          <nav className="k-picker" aria-label="Show the clusters of another k">
            <span className="k-picker__label" aria-hidden="true">
              k
            </span>
            {ks.map((v) => (
              <Link
                key={v}
                to={v === chosen ? "?" : `?k=${v}`}
                preventScrollReset
                replace
                className={`k-picker__link${v === k ? " k-picker__link--active" : ""}${v === chosen ? " k-picker__link--chosen" : ""}`}
                aria-current={v === k ? "true" : undefined}
                aria-label={`k = ${v}${v === chosen ? " (chosen)" : ""}`}
              >
                {v}
              </Link>
            ))}
          </nav>
        ) : null}
        <DownloadButton href={`/models/${detail.run.id}/clusters.csv`} small>Profiles CSV</DownloadButton>
      </div>
      {k !== chosen ? (
        <Notice tone="info" title={`Customers are assigned to clusters only at k = ${chosen}`}>
          To turn these {clusters.length} clusters into segments, run this model again for k = {k} alone: the same seed gives
          exactly the clusters shown here.
          {detail.canRun ? (
            <Form method="post" className="notice__action">
              <input type="hidden" name="k" value={k} />
              <SubmitButton intent="chooseK" size="sm" variant="secondary" pendingLabel="Starting…">
                Run again with k = {k}
              </SubmitButton>
              {result?.intent === "chooseK" && !result.ok ? (
                <p className="field__error" role="alert">
                  {result.formError}
                </p>
              ) : null}
            </Form>
          ) : null}
        </Notice>
      ) : null}
      <div className="cluster-grid">
        {clusters.map((c, i) => (
          <ClusterCard
            key={c.cluster}
            index={i}
            cluster={c.cluster}
            name={c.suggestedName}
            size={c.size}
            total={total}
            features={c.profile.map((p) => ({ ...p, label: labels.get(p.feature) ?? p.feature }))}
            action={
              detail.canPropose && k === chosen ? (
                <ProposeCluster
                  cluster={c.cluster}
                  name={c.suggestedName}
                  error={result?.intent === "propose" && result.cluster === c.cluster ? result.formError : null}
                />
              ) : null
            }
          />
        ))}
      </div>
      <div>
        <h3 className="section__title section__title--spaced">Standardised difference from the base</h3>
        <ProfileHeatmap
          title={`Clusters at k = ${k} by feature: standardised difference from the whole base`}
          features={fields.map((f) => labels.get(f) ?? f)}
          rows={clusters.map((c, i) => ({
            index: i,
            name: `${c.cluster}. ${c.suggestedName}`,
            size: c.size,
            diffs: fields.map((f) => c.profile.find((p) => p.feature === f)?.standardisedDifference ?? 0),
          }))}
        />
      </div>
      {tests.some((t) => t.p !== null) ? (
        <div>
          <h3 className="section__title">Does each feature differ between the clusters?</h3>
          <p className="muted small chart-intro">
            Kruskal–Wallis test per feature. The clusters were fitted on these features, so a small p-value is expected: read
            it as how strongly the feature separates them, not as a confirmatory test.
          </p>
          <div className="table-wrap table-wrap--inset">
            <table className="table table--compact">
              <thead>
                <tr>
                  <th scope="col">Feature</th>
                  <th scope="col" className="num">
                    H
                  </th>
                  <th scope="col" className="num">
                    p-value
                  </th>
                </tr>
              </thead>
              <tbody>
                {tests.map((t) => (
                  <tr key={t.field}>
                    <td>{t.label}</td>
                    <td className="num">{t.h === null ? "–" : formatMetric(t.h)}</td>
                    <td className="num">{formatP(t.p)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  );
}

function Projection({ detail }: { detail: Detail }) {
  const { pca } = detail;
  const k = detail.run.chosenK;
  if (!pca || k === null) return null;
  const clusters = detail.clusters.filter((c) => c.k === k);
  return (
    <section className="card" aria-labelledby="pca-title">
      <h2 id="pca-title" className="card__title">
        Customers on a map
      </h2>
      <p className="card__subtitle">
        {pca.points.length < (detail.run.n ?? 0)
          ? `A random sample of ${plural(pca.points.length, "customer", "customers")} (of ${(detail.run.n ?? 0).toLocaleString("en-GB")})`
          : `All ${plural(pca.points.length, "customer", "customers")}`}{" "}
        on the two directions that spread them most
        (principal components of the standardised features), coloured by cluster at k = {k}. Clusters that overlap here
        may still separate on other directions.
      </p>
      <PcaScatter
        title={`PCA of a sample of customers, coloured by cluster at k = ${k}`}
        points={pca.points}
        explained={pca.explained}
        clusters={clusters.map((c, i) => ({ cluster: c.cluster, index: i, name: `${clusterLabel(c.cluster)} · ${c.suggestedName}` }))}
      />
    </section>
  );
}

export default function ModelRun() {
  const detail = useLoaderData<typeof loader>();
  const { run, canRun } = detail;
  const [params] = useSearchParams();
  const result = useActionData<typeof action>();
  usePolling(isRunActive(run.status), 1000);
  const ks = new Set(detail.clusters.map((c) => c.k));
  const wanted = Number(params.get("k"));
  const k = ks.has(wanted) ? wanted : (run.chosenK ?? detail.recommendation?.k ?? null);

  return (
    <>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/models">Models</Link>
        <span aria-hidden="true">›</span>
        <span>Run of {formatDateMinute(run.createdAt)}</span>
      </nav>
      <PageHeader
        title={
          <>
            {algorithmLabel(run.algorithm)} on {plural(detail.features.length, "feature", "features")} <RunStatusBadge status={run.status} />
          </>
        }
        description={detail.features.map((f) => f.label).join(" · ")}
        actions={
          canRun ? (
            <Link to={`/models/new?from=${run.id}`} className="button button--secondary">
              New run from these settings
            </Link>
          ) : null
        }
      />
      <div className="stack">
        {isRunActive(run.status) ? <RunProgress run={run} canRun={canRun} /> : null}
        {run.status === "failed" ? (
          <Notice tone="error" title="The run failed">
            {run.error ?? "It stopped before it finished."} Nothing from it was kept.
            {canRun ? (
              <>
                {" "}
                <Link to="/models/new">Start a new run</Link> with other features or a smaller k.
              </>
            ) : null}
          </Notice>
        ) : null}
        {run.status === "cancelled" ? (
          <Notice tone="warning" title="The run was cancelled">
            It was stopped {run.startedAt ? "before it finished" : "before it started"}; no results were kept.
          </Notice>
        ) : null}
        {run.status === "completed" && run.params.dbscanResult ? (
          <section className="card" aria-labelledby="dbscan-title">
            <h2 id="dbscan-title" className="card__title">
              What DBSCAN found
            </h2>
            <p>
              DBSCAN found {plural(run.params.dbscanResult.clusters, "cluster", "clusters")} and{" "}
              {plural(run.params.dbscanResult.noise, "outlier", "outliers")} (
              {run.n ? ((100 * run.params.dbscanResult.noise) / run.n).toFixed(1) : "0.0"}%)
              {run.params.dbscanResult.outlierCluster !== null ? `; the outliers are cluster ${run.params.dbscanResult.outlierCluster}, "Outliers"` : ""}. It
              chooses the number of clusters itself; the metrics below are on the clustered customers only, and stability is not
              checked for DBSCAN.
            </p>
          </section>
        ) : null}
        {run.params.constraints?.length && run.status !== "failed" && run.status !== "cancelled" ? (
          <FixedGroupsPanel
            constraints={run.params.constraints}
            groups={run.params.constraintGroups}
            n={run.n}
            attributeLabels={Object.fromEntries(detail.features.filter((f) => f.field.startsWith("attr:")).map((f) => [f.field.slice(5), f.label]))}
          />
        ) : null}
        {run.status === "completed" && detail.results.length ? <KSelection detail={detail} /> : null}
        {run.status === "completed" && k !== null && run.params.lcaResults ? (
          <LcaPanel all={run.params.lcaResults} k={k} labels={new Map(detail.features.map((f) => [f.field, f.label]))} />
        ) : null}
        {run.status === "completed" && run.params.somResult && run.chosenK !== null ? (
          <section className="card stack" aria-labelledby="som-title">
            <div>
              <h2 id="som-title" className="card__title">
                The map (k = {run.chosenK})
              </h2>
              <p className="card__subtitle">
                Every customer sits on the node nearest to it; neighbouring nodes hold similar customers. Mean distance of a customer
                to its node {run.params.somResult.quantisationError.toFixed(3)}; {(run.params.somResult.topographicError * 100).toFixed(1)}% of
                customers have their two nearest nodes apart on the grid (topographic error; lower means a smoother map).
              </p>
            </div>
            <SomMap som={run.params.somResult} features={detail.features.map((f) => f.label)} k={run.chosenK} />
          </section>
        ) : null}
        {run.status === "completed" && k !== null && run.params.wardResult ? (
          <section className="card" aria-labelledby="tree-title">
            <h2 id="tree-title" className="card__title">
              Merge tree (multi-level segments)
            </h2>
            <p className="card__subtitle">
              Ward merged {run.params.wardResult.method === "centroids" ? `${run.params.wardResult.units} micro-clusters` : `the ${run.params.wardResult.units.toLocaleString("en-GB")} customers`} two
              at a time, always the pair whose merge adds the least within-cluster variation; the height of a merge is that cost. The top{" "}
              {run.params.wardResult.leaves.length} branches are drawn, with the customers below each. Cutting lower gives more, smaller clusters
              nested inside these: the dashed line is the cut at k = {k} (choose another k above to move it).
            </p>
            <WardDendrogram ward={run.params.wardResult} k={k} />
          </section>
        ) : null}
        {run.status === "completed" && k !== null ? <Profiles detail={detail} k={k} /> : null}
        {run.status === "completed" && k !== null && run.params.gmmResults ? <MembershipClarity detail={detail} k={k} /> : null}
        {run.status === "completed" && run.stability && run.chosenK !== null ? (
          <StabilityPanel
            stability={run.stability}
            k={run.chosenK}
            names={new Map(detail.clusters.filter((c) => c.k === run.chosenK).map((c) => [c.cluster, c.suggestedName]))}
          />
        ) : null}
        {run.status === "completed" && run.explanation && run.chosenK !== null ? (
          <ExplanationPanel
            explanation={run.explanation}
            // Fixed groups are defined by their own rule and were not part of the tree's data.
            n={(run.n ?? 0) - (run.params.constraintGroups ?? []).reduce((s, g) => s + g.size, 0)}
            k={run.chosenK}
            clusters={detail.clusters.filter((c) => c.k === run.chosenK && !run.params.constraintGroups?.some((g) => g.cluster === c.cluster))}
            attributeLabels={Object.fromEntries(detail.features.filter((f) => f.field.startsWith("attr:")).map((f) => [f.field.slice(5), f.label]))}
            canPropose={detail.canPropose}
          />
        ) : null}
        {run.status === "completed" ? <Projection detail={detail} /> : null}
        <Parameters detail={detail} />
        {canRun && !isRunActive(run.status) ? <DeleteRun n={run.n} error={result?.intent === "delete" ? result.formError : null} /> : null}
      </div>
    </>
  );
}
