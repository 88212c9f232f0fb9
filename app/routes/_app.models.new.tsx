import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { KDistanceChart, type KDistancePlot } from "~/components/charts/k-distance-chart";
import { TextField } from "~/components/form-field";
import { FeatureCheck, type CollinearityReport } from "~/components/models/feature-check";
import { FIXED_GROUP_OPS, FIXED_GROUP_ROWS, FixedGroups, type FixedGroupOp, type FixedGroupRow } from "~/components/models/fixed-groups";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDateMinute } from "~/lib/format";
import { TRANSFORMS, type FeatureTransform } from "~/lib/models";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "New model run · Models · Quorum" }];

const DEFAULTS = { kMin: "2", kMax: "8", seed: "0", restarts: "10", algorithm: "kmeans", eps: "0.5", minPts: "5" };

type Algorithm = "kmeans" | "gmm" | "dbscan" | "ward" | "lca" | "som";
const ALGORITHMS: { value: Algorithm; label: string; description: string }[] = [
  { value: "kmeans", label: "k-means", description: "Each customer belongs to exactly one cluster, the nearest centre; fast, and best for compact, well-separated groups." },
  {
    value: "gmm",
    label: "Gaussian mixture (overlapping groups)",
    description: "Groups may overlap and differ in shape and spread; each customer gets a probability for every cluster, k is recommended by the lowest BIC.",
  },
  {
    value: "ward",
    label: "Ward hierarchical (multi-level segments)",
    description:
      "One tree of merges cut at each k, so the clusters of a smaller k are unions of those of a larger one; exact on up to 5,000 customers, on 200 k-means micro-clusters above. The run page draws the tree.",
  },
  {
    value: "som",
    label: "Self-organizing map (high-dimensional behaviour)",
    description:
      "Customers are laid out on a grid of nodes where similar customers sit close together; the run page draws the map (distances between nodes, customers per node, each feature). Clusters are k-means on the nodes, and each customer takes its node's cluster.",
  },
  {
    value: "lca",
    label: "Latent class analysis (categorical answers)",
    description:
      "For categorical data such as survey answers, region or RFM segment (choose those under “Categorical answers”): each class has its own probability of every answer, and k is recommended by the lowest BIC.",
  },
  {
    value: "dbscan",
    label: "DBSCAN (density and outliers)",
    description:
      "Clusters are dense regions of any shape: it finds their number itself from eps (the radius, on the transformed features) and minPts (customers within eps, itself counted), and puts customers in no dense region into an 'Outliers' group; the k fields are not used.",
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "model:run");
  const from = new URL(request.url).searchParams.get("from") ?? "";
  return loadOrFail(request, async () => {
    const [options, source] = await Promise.all([
      context.trpc.models.features(),
      UUID.test(from) ? context.trpc.models.get({ runId: from }) : null,
    ]);
    const available = new Set(options.filter((o) => o.available).map((o) => o.field));
    const initial = source
      ? {
          features: Object.fromEntries(
            source.run.params.features.filter((f) => available.has(f.field)).map((f) => [f.field, f.transform])
          ) as Record<string, FeatureTransform>,
          kMin: String(source.run.params.kMin),
          kMax: String(source.run.params.kMax),
          seed: String(source.run.params.seed),
          restarts: String(source.run.params.restarts),
          algorithm: source.run.params.algorithm ?? source.run.algorithm,
          eps: String(source.run.params.eps ?? DEFAULTS.eps),
          minPts: String(source.run.params.minPts ?? DEFAULTS.minPts),
          fixedGroups: (source.run.params.constraints ?? []).flatMap((c): FixedGroupRow[] => {
            const only = c.rules.children.length === 1 ? c.rules.children[0] : null;
            // The form writes one number comparison per group; other rule trees cannot be shown in it.
            if (!only || "combinator" in only || !("value" in only) || typeof only.value !== "number" || !isFixedOp(only.op)) return [];
            return [{ name: c.name, field: only.field, op: only.op, value: String(only.value) }];
          }),
          createdAt: source.run.createdAt,
        }
      : null;
    return { options, initial };
  });
}

function isFixedOp(value: string): value is FixedGroupOp {
  return FIXED_GROUP_OPS.some((o) => o.value === value);
}

type ConstraintInput = NonNullable<Parameters<AppLoadContext["trpc"]["models"]["start"]>[0]["constraints"]>[number];

/** The named rows of the "Fixed groups" card as constraints; a row's mistakes go to fieldErrors under its inputs. */
function fixedGroups(form: FormData, fieldErrors: Record<string, string>): { constraints: ConstraintInput[]; rows: FixedGroupRow[] } {
  const constraints: ConstraintInput[] = [];
  const rows: FixedGroupRow[] = [];
  for (let i = 0; i < FIXED_GROUP_ROWS; i++) {
    const name = field(form, `fixed:${i}:name`).trim();
    const fieldName = field(form, `fixed:${i}:field`);
    const op = field(form, `fixed:${i}:op`);
    const raw = field(form, `fixed:${i}:value`).trim();
    rows.push({ name, field: fieldName, op: isFixedOp(op) ? op : "gt", value: raw });
    if (!name) {
      if (raw) fieldErrors[`fixed:${i}:name`] = `Give group ${i + 1} a name, or clear its value.`;
      continue;
    }
    const value = /^-?\d*\.?\d+(e-?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value)) {
      fieldErrors[`fixed:${i}:value`] = `Enter the number group “${name}” compares with.`;
      continue;
    }
    // Typed as the procedure's input; the procedure validates the field name and the rule with zod.
    constraints.push({ name, rules: { combinator: "and", children: [{ op: isFixedOp(op) ? op : "gt", field: fieldName as "frequency", value }] } });
  }
  return { constraints, rows };
}

/** The form row of the n-th named fixed group (rows without a name are skipped). */
function rowOfConstraint(rows: FixedGroupRow[], n: number): number {
  let seen = -1;
  for (let i = 0; i < rows.length; i++) if (rows[i].name && ++seen === n) return i;
  return 0;
}

function isTransform(value: string): value is FeatureTransform {
  return TRANSFORMS.some((t) => t.value === value);
}

type FeatureInput = Parameters<AppLoadContext["trpc"]["models"]["start"]>[0]["features"][number];

/** The chosen features in the order they are listed, each with its transform. */
function chosenFeatures(form: FormData): FeatureInput[] {
  return form
    .getAll("feature")
    .filter((v): v is string => typeof v === "string")
    .map((f) => {
      const t = field(form, `transform:${f}`);
      // Typed as the procedure's input; the procedure validates the field name with zod.
      return { field: f as FeatureInput["field"], transform: isTransform(t) ? t : ("standard" as const) };
    });
}

/** A whole number from a form field, or NaN (the server names the field in its error). */
function whole(value: string): number {
  return /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
}

const LABELS: Record<string, string> = { eps: "eps", minPts: "minPts", kMin: "Smallest k", kMax: "Largest k", seed: "Seed", restarts: "Restarts", features: "Features" };

export async function action({ request, context }: ActionFunctionArgs) {
  await requirePermission(request, context, "model:run");
  const form = await request.formData();
  const intent = field(form, "intent");
  const features = chosenFeatures(form);
  const values = { kMin: field(form, "kMin"), kMax: field(form, "kMax"), seed: field(form, "seed"), restarts: field(form, "restarts") };
  const fieldErrors: Record<string, string> = {};
  if (!features.length) fieldErrors.features = "Choose at least one feature to cluster on.";
  if (intent === "kdist") {
    const minPts = whole(field(form, "minPts"));
    if (Number.isNaN(minPts)) fieldErrors.minPts = "minPts must be a whole number.";
    if (Object.keys(fieldErrors).length) return { intent, check: null, checkedKey: "", formError: null, fieldErrors };
    try {
      const kdist: KDistancePlot = await context.trpc.models.kDistances({ features, minPts, seed: Number.isNaN(whole(values.seed)) ? 0 : whole(values.seed) });
      return { intent, check: null, checkedKey: "", kdist, formError: null, fieldErrors };
    } catch (error) {
      const failure = formFailure(error, request);
      return { intent, check: null, checkedKey: "", formError: failure.formError ?? "The k-distance plot could not be computed.", fieldErrors: {} };
    }
  }
  if (intent === "check") {
    if (fieldErrors.features) return { intent, check: null, checkedKey: "", formError: null, fieldErrors };
    try {
      const check: CollinearityReport = await context.trpc.models.featureCheck({ features });
      return { intent, check, checkedKey: JSON.stringify(features), formError: null, fieldErrors };
    } catch (error) {
      const failure = formFailure(error, request);
      return { intent, check: null, checkedKey: "", formError: failure.formError ?? "The features could not be checked.", fieldErrors: {} };
    }
  }
  const fixed = fixedGroups(form, fieldErrors);
  const constraints = fixed.constraints.length ? { constraints: fixed.constraints } : {};
  const algorithm: Algorithm = ALGORITHMS.find((a) => a.value === field(form, "algorithm"))?.value ?? "kmeans";
  const eps = /^\s*\d*\.?\d+(e-?\d+)?\s*$/i.test(field(form, "eps")) ? Number(field(form, "eps")) : Number.NaN;
  const minPts = whole(field(form, "minPts"));
  for (const key of algorithm === "dbscan" ? (["seed", "restarts"] as const) : (["kMin", "kMax", "seed", "restarts"] as const)) {
    if (Number.isNaN(whole(values[key]))) fieldErrors[key] = `${LABELS[key]} must be a whole number.`;
  }
  if (algorithm === "dbscan") {
    if (!(eps > 0)) fieldErrors.eps = "eps must be a number greater than 0.";
    if (Number.isNaN(minPts)) fieldErrors.minPts = "minPts must be a whole number.";
  } else if (!fieldErrors.kMin && !fieldErrors.kMax && whole(values.kMin) > whole(values.kMax)) {
    fieldErrors.kMax = "Largest k must be at least the smallest k.";
  }
  if (Object.keys(fieldErrors).length) return { intent, check: null, checkedKey: "", formError: null, fieldErrors, fixedRows: fixed.rows };
  try {
    const started = await context.trpc.models.start(
      algorithm === "dbscan"
        ? { features, seed: whole(values.seed), restarts: whole(values.restarts), algorithm, eps, minPts, ...constraints }
        : { features, kMin: whole(values.kMin), kMax: whole(values.kMax), seed: whole(values.seed), restarts: whole(values.restarts), algorithm, ...constraints },
    );
    return redirect(`/models/${started.runId}`);
  } catch (error) {
    const failure = formFailure(error, request);
    const errors: Record<string, string> = {};
    for (const [path, message] of Object.entries(failure.fieldErrors)) {
      const [key, index] = path.split(".");
      if (key === "constraints" && index !== undefined && /^\d+$/.test(index)) {
        errors[`fixed:${fixed.constraints.length ? rowOfConstraint(fixed.rows, Number(index)) : 0}:name`] ??= `Fixed group: ${message}.`;
      } else errors[key] ??= `${key === "constraints" ? "Fixed groups" : (LABELS[key] ?? key)}: ${message}.`;
    }
    return { intent, check: null, checkedKey: "", formError: failure.formError, fieldErrors: errors, fixedRows: fixed.rows };
  }
}

export default function NewModelRun() {
  const { options, initial } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [chosen, setChosen] = useState<Record<string, FeatureTransform | undefined>>(initial?.features ?? {});
  const defaults = initial ?? DEFAULTS;
  const [check, setCheck] = useState<{ report: CollinearityReport; key: string } | null>(null);
  useEffect(() => {
    if (result?.intent === "check" && result.check) setCheck({ report: result.check, key: result.checkedKey });
  }, [result]);
  const selected = options.filter((o) => chosen[o.field]).map((o) => ({ field: o.field, transform: chosen[o.field] }));
  const selectionKey = JSON.stringify(selected);
  const flagged = new Set(
    check?.report.flags.flatMap((f) => (f.kind === "correlation" ? f.features : [f.feature])) ?? []
  );
  const errors: Record<string, string> = result?.fieldErrors ?? {};
  const groups = [
    { title: "Customer features", items: options.filter((o) => o.kind === "number" && o.source === "feature") },
    { title: "Numeric attributes", items: options.filter((o) => o.kind === "number" && o.source === "attribute") },
    { title: "Categorical answers (latent class analysis only)", items: options.filter((o) => o.kind === "category") },
  ].filter((g) => g.items.length);

  return (
    <>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/models">Models</Link>
        <span aria-hidden="true">›</span>
        <span>New run</span>
      </nav>
      <PageHeader
        title="New model run"
        description="Choose what to cluster customers on and how many clusters to try. The run happens in the background; its page shows the progress and, when it is done, which k the data supports and what each cluster looks like."
      />
      <Form method="post" className="form run-form" noValidate>
        {initial ? (
          <Notice tone="info">
            Starting from the settings of the run of {formatDateMinute(initial.createdAt)}: the same features, transforms,
            k range, seed and restarts give the same clusters on the same data. Change what you like.
          </Notice>
        ) : null}
        {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
        <section className="card stack" aria-labelledby="features-title">
          <div>
            <h2 id="features-title" className="card__title">
              Features
            </h2>
            <p className="card__subtitle">
              Customers missing any chosen feature are left out of the run. Protected attributes can never be chosen.
            </p>
          </div>
          <fieldset
            className={`feature-pick${errors.features ? " field--invalid" : ""}`}
            aria-describedby={errors.features ? "features-error" : undefined}
          >
            <legend className="visually-hidden">Features to cluster on, each with its transform</legend>
            {groups.map((g) => (
              <div key={g.title} role="group" aria-label={g.title}>
                <div className="feature-pick__group">{g.title}</div>
                {g.items.map((o) => {
                  const on = Boolean(chosen[o.field]);
                  const id = `feature-${o.field.replace(/[^a-z0-9_]/gi, "-")}`;
                  return (
                    <div
                      key={o.field}
                      className={`feature-pick__row${!o.available ? " feature-pick__row--disabled" : ""}${
                        on && flagged.has(o.label) ? " feature-pick__row--flagged" : ""
                      }`}
                    >
                      <label className="checkbox-line" htmlFor={id}>
                        <input
                          id={id}
                          type="checkbox"
                          name="feature"
                          value={o.field}
                          checked={on}
                          disabled={!o.available}
                          aria-describedby={!o.available ? `${id}-why` : undefined}
                          onChange={(e) =>
                            setChosen((c) => ({ ...c, [o.field]: e.target.checked ? (c[o.field] ?? "standard") : undefined }))
                          }
                        />
                        <span>
                          <span>
                            {o.label}
                            {o.source === "attribute" && !o.available ? <span className="tag tag--protected">Protected</span> : null}
                          </span>
                          {!o.available ? (
                            <span className="feature-pick__hint" id={`${id}-why`}>
                              {o.reason ? `${o.reason.charAt(0).toUpperCase()}${o.reason.slice(1)}.` : "Not available."}
                            </span>
                          ) : on && o.kind === "category" ? (
                            <span className="feature-pick__hint">Each value is one answer category</span>
                          ) : on ? (
                            <span className="feature-pick__hint">
                              {TRANSFORMS.find((t) => t.value === chosen[o.field])?.description}
                              {flagged.has(o.label) ? " · flagged by the feature check below" : ""}
                            </span>
                          ) : null}
                        </span>
                      </label>
                      {on && o.kind === "number" ? (
                        <select
                          name={`transform:${o.field}`}
                          className="input select"
                          aria-label={`Transform for ${o.label}`}
                          value={chosen[o.field]}
                          onChange={(e) => {
                            const value = e.target.value;
                            if (isTransform(value)) setChosen((c) => ({ ...c, [o.field]: value }));
                          }}
                        >
                          {TRANSFORMS.map((t) => (
                            <option key={t.value} value={t.value}>
                              {t.label}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <span aria-hidden="true" />
                      )}
                    </div>
                  );
                })}
              </div>
            ))}
          </fieldset>
          {errors.features ? (
            <p className="field__error" id="features-error" role="alert">
              {errors.features}
            </p>
          ) : null}
          <div className="button-row">
            <SubmitButton intent="check" variant="secondary" pendingLabel="Checking…" disabled={!selected.length} formNoValidate>
              Check features
            </SubmitButton>
            <span className="muted small">
              {selected.length
                ? `${selected.length} chosen. The check shows how strongly they correlate (and each one's VIF) on your data.`
                : "Choose at least one feature."}
            </span>
          </div>
          {check ? <FeatureCheck report={check.report} stale={check.key !== selectionKey} /> : null}
        </section>

        <FixedGroups
          fields={options.filter((o) => o.available && o.kind === "number").map((o) => ({ field: o.field, label: o.label }))}
          initial={(result && "fixedRows" in result ? result.fixedRows : undefined) ?? initial?.fixedGroups ?? []}
          errors={errors}
        />

        <section className="card stack" aria-labelledby="settings-title">
          <div>
            <h2 id="settings-title" className="card__title">
              Settings
            </h2>
            <p className="card__subtitle">
              Every k from the smallest to the largest is fitted and scored. The same seed on the same data gives the
              same clusters.
            </p>
          </div>
          <fieldset className="stack">
            <legend>Algorithm</legend>
            {ALGORITHMS.map((a) => (
              <div key={a.value}>
                <label className="checkbox-line" htmlFor={`algorithm-${a.value}`}>
                  <input type="radio" id={`algorithm-${a.value}`} name="algorithm" value={a.value} defaultChecked={defaults.algorithm === a.value} />{" "}
                  {a.label}
                </label>
                <p className="field__description">{a.description}</p>
              </div>
            ))}
          </fieldset>
          <div className="form-row run-form__numbers">
            <TextField
              label="Smallest k"
              name="kMin"
              type="number"
              inputMode="numeric"
              min={2}
              max={15}
              required
              defaultValue={defaults.kMin}
              error={errors.kMin}
              description="2 to 15"
            />
            <TextField
              label="Largest k"
              name="kMax"
              type="number"
              inputMode="numeric"
              min={2}
              max={15}
              required
              defaultValue={defaults.kMax}
              error={errors.kMax}
              description="2 to 15"
            />
            <TextField
              label="Seed"
              name="seed"
              type="number"
              inputMode="numeric"
              min={0}
              required
              defaultValue={defaults.seed}
              error={errors.seed}
            />
            <TextField
              label="Restarts"
              name="restarts"
              type="number"
              inputMode="numeric"
              min={1}
              max={50}
              required
              defaultValue={defaults.restarts}
              error={errors.restarts}
              description="Best of this many starts per k"
            />
          </div>
          <div className="form-row run-form__numbers">
            <TextField
              label="eps (DBSCAN)"
              name="eps"
              type="number"
              inputMode="decimal"
              step="any"
              min={0}
              defaultValue={defaults.eps}
              error={errors.eps}
              description="Neighbourhood radius on the transformed features (standardised: about 0.2 to 1)"
            />
            <TextField
              label="minPts (DBSCAN)"
              name="minPts"
              type="number"
              inputMode="numeric"
              min={2}
              defaultValue={defaults.minPts}
              error={errors.minPts}
              description="Customers within eps, itself counted (at least 2)"
            />
          </div>
          <div className="button-row">
            <SubmitButton intent="kdist" variant="secondary" pendingLabel="Computing…" disabled={!selected.length} formNoValidate>
              Show the k-distance plot
            </SubmitButton>
            <span className="muted small">For DBSCAN: each customer's distance to its (minPts − 1)th nearest neighbour helps choose eps.</span>
          </div>
          {result && "kdist" in result && result.kdist ? <KDistanceChart plot={result.kdist} /> : null}
          <div className="button-row">
            <SubmitButton intent="start" pendingLabel="Starting…">
              Start the run
            </SubmitButton>
            <Link to="/models" className="button button--ghost">
              Cancel
            </Link>
          </div>
        </section>
      </Form>
    </>
  );
}
