import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { SelectField } from "~/components/form-field";
import { KpiForm, type KpiFormFailure } from "~/components/kpis/kpi-form";
import { describeSpec, specFromForm } from "~/components/kpis/kpi-form-values";
import styles from "~/components/kpis/kpis.css?url";
import { RebuildButton, rollupActive, RollupStatus } from "~/components/kpis/rollup-progress";
import { TargetsForm } from "~/components/kpis/targets-form";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { areaByPath } from "~/lib/areas";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { safeRedirect } from "~/lib/safe-redirect";
import { requirePermission } from "~/lib/session.server";
import { usePolling } from "~/lib/use-polling";
import { ALL_CUSTOMERS } from "../../server/services/kpis/types";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

const AREA = areaByPath("/dashboards");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: `KPIs · ${AREA.label} · Quorum` }];

const UNIT_LABELS = { count: "Count", currency: "Money", percent: "Percentage", number: "Number", score: "Score" } as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "dashboard:read");
  return loadOrFail(request, async () => {
    const [kpis, members, segments, status] = await Promise.all([
      context.trpc.kpis.list(),
      context.trpc.members.list(),
      context.trpc.segments.list(),
      context.trpc.kpis.status(),
    ]);
    return {
      kpis,
      members: members.map((m) => ({ userId: m.userId, name: m.name })),
      segments: [
        { id: ALL_CUSTOMERS, name: "All customers" },
        ...segments.segments.filter((s) => s.status === "active").map((s) => ({ id: s.id, name: s.name })),
      ],
      status,
      mayConfigure: me.permissions.includes("kpi:configure"),
    };
  });
}

type ActionResult =
  | { intent: "create" | "update"; failure: KpiFormFailure }
  | { intent: "targets"; kpiId: string; failure: KpiFormFailure }
  | { intent: "owner" | "delete" | "rebuild"; kpiId: string | null; error: string };

/** Every submitted field as text (so a failed form comes back as it was typed). */
function valuesOf(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") out[k] = v;
  return out;
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const form = await request.formData();
  const intent = field(form, "intent");
  const kpiId = field(form, "kpiId");
  const values = valuesOf(form);
  const get = (name: string) => field(form, name);
  try {
    if (intent === "create") {
      const created = await context.trpc.kpis.create({
        key: get("key"),
        name: get("name"),
        description: get("description"),
        unit: get("unit") as "count",
        direction: get("direction") as "higher",
        // User input, validated by the procedure's ZCustomKpiSpec (errors come back per field).
        spec: specFromForm(get) as never,
        ownerUserId: get("ownerUserId") || null,
      });
      return redirect(`/dashboards/kpis?edit=${created.id}&saved=created`);
    }
    if (intent === "update") {
      const custom = get("spec.kind") !== "";
      await context.trpc.kpis.update({
        kpiId,
        name: get("name"),
        description: get("description"),
        unit: get("unit") as "count",
        direction: get("direction") as "higher",
        // As for create: user input that the procedure validates.
        ...(custom ? { spec: specFromForm(get) as never } : {}),
      });
      return redirect(`/dashboards/kpis?edit=${kpiId}&saved=updated`);
    }
    if (intent === "owner") {
      await context.trpc.kpis.setOwner({ kpiId, ownerUserId: get("ownerUserId") || null });
      return redirect(`/dashboards/kpis?edit=${kpiId}&saved=owner`);
    }
    if (intent === "targets") {
      const fieldErrors: Record<string, string> = {};
      for (const [name, raw] of Object.entries(values)) {
        if (!name.startsWith("target.")) continue;
        const segmentId = name.slice("target.".length);
        const before = get(`before.${segmentId}`);
        if (raw.trim() === before.trim()) continue;
        const text = raw.trim();
        const target = text === "" ? null : Number(text);
        if (target !== null && !Number.isFinite(target)) {
          fieldErrors[name] = `'${text}' is not a number.`;
          continue;
        }
        try {
          await context.trpc.kpis.setTarget({ kpiId, segmentId, target });
        } catch (error) {
          const f = formFailure(error, request);
          fieldErrors[name] = f.formError ?? Object.values(f.fieldErrors)[0] ?? "This target was not saved.";
        }
      }
      if (Object.keys(fieldErrors).length) {
        return { intent, kpiId, failure: { formError: "Some targets were not saved; the others were.", fieldErrors, values } };
      }
      return redirect(`/dashboards/kpis?edit=${kpiId}&saved=targets`);
    }
    if (intent === "delete") {
      await context.trpc.kpis.delete({ kpiId });
      return redirect(`/dashboards/kpis?saved=deleted`);
    }
    if (intent === "rebuild") {
      await context.trpc.kpis.rebuild();
      return redirect(safeRedirect(get("returnTo"), "/dashboards/kpis"));
    }
    return { intent: "rebuild", kpiId: null, error: `Unknown action '${intent}'. Reload the page and try again.` };
  } catch (error) {
    const failure = formFailure(error, request);
    if (intent === "create" || intent === "update") return { intent, failure: { ...failure, values } };
    const message = failure.formError ?? Object.values(failure.fieldErrors).join(" ");
    return { intent: intent === "owner" || intent === "delete" ? intent : "rebuild", kpiId: kpiId || null, error: message };
  }
}

const SAVED: Record<string, string> = {
  created: "KPI created. Its values appear after the next roll-up; set its owner and targets below.",
  updated: "KPI saved. Its values are recomputed by the next roll-up.",
  owner: "Owner saved.",
  targets: "Targets saved.",
  deleted: "KPI deleted, with its roll-ups and targets.",
};

export default function KpiManagement() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const [params] = useSearchParams();
  const editing = data.kpis.find((k) => k.id === params.get("edit")) ?? null;
  const creating = params.get("new") === "1";
  const saved = SAVED[params.get("saved") ?? ""];
  const running = rollupActive(data.status);
  usePolling(running, 2000);
  const formFailureFor = (intent: "create" | "update") => (result && "failure" in result && result.intent === intent ? result.failure : null);
  const errorFor = (intent: "owner" | "delete" | "rebuild") => (result && "error" in result && result.intent === intent ? result.error : null);
  const segmentName = new Map(data.segments.map((s) => [s.id, s.name]));

  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/dashboards">Dashboards</Link>
      </nav>
      <PageHeader
        title="KPIs"
        description="What the dashboards measure: built-in KPIs and this workspace's own, each with an owner, a direction and targets per segment."
        actions={
          data.mayConfigure ? (
            <>
              <RebuildButton disabled={running || busy} />
              <Link to="?new=1" className="button button--primary button--sm">
                New custom KPI
              </Link>
            </>
          ) : null
        }
      />
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      {errorFor("rebuild") ? <Notice tone="error">{errorFor("rebuild")}</Notice> : null}
      <RollupStatus status={data.status} compact />

      {data.mayConfigure && creating ? (
        <section className="card" aria-labelledby="new-kpi-title">
          <h2 className="card__title" id="new-kpi-title">
            New custom KPI
          </h2>
          <p className="card__subtitle">
            An aggregate of the members&apos; events in each period (count, sum or average of the event value, or distinct customers),
            or over the members themselves, with a filter; or the ratio of two.
          </p>
          <KpiForm kpi={null} failure={formFailureFor("create")} members={data.members} busy={busy} />
        </section>
      ) : null}

      {data.mayConfigure && editing ? (
        <section className="card" aria-labelledby="edit-kpi-title" id="edit">
          <div className="card__header">
            <div>
              <h2 className="card__title" id="edit-kpi-title">
                {editing.name}
              </h2>
              <p className="card__subtitle">{editing.builtin ? "Built-in KPI: its computation is fixed; its owner and targets are yours." : describeSpec(editing.spec!)}</p>
            </div>
            <Link to="/dashboards/kpis" className="button button--ghost button--sm">
              Close
            </Link>
          </div>
          <div className="stack">
            <Form method="post" className="kpi-owner" aria-label="Owner">
              <input type="hidden" name="intent" value="owner" />
              <input type="hidden" name="kpiId" value={editing.id} />
              <SelectField name="ownerUserId" label="Owner" defaultValue={editing.ownerUserId ?? ""} error={errorFor("owner")}>
                <option value="">No owner</option>
                {data.members.map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.name}
                  </option>
                ))}
              </SelectField>
              <button type="submit" className="button button--secondary button--sm" disabled={busy}>
                Save owner
              </button>
            </Form>
            <TargetsForm
              kpi={editing}
              segments={data.segments}
              busy={busy}
              failure={result && "failure" in result && result.intent === "targets" && result.kpiId === editing.id ? result.failure : null}
            />
            {editing.builtin ? null : (
              <>
                <h3 className="dash-section-title">Definition</h3>
                <KpiForm kpi={editing} failure={formFailureFor("update")} members={data.members} busy={busy} key={editing.id} />
                <Form method="post" className="kpi-delete">
                  <input type="hidden" name="intent" value="delete" />
                  <input type="hidden" name="kpiId" value={editing.id} />
                  <button type="submit" className="button button--danger-text button--sm" disabled={busy}>
                    Delete this KPI
                  </button>
                  {errorFor("delete") ? <p className="field__error">{errorFor("delete")}</p> : null}
                </Form>
              </>
            )}
          </div>
        </section>
      ) : null}

      {data.kpis.length === 0 ? (
        <EmptyState icon={AREA.icon} title="No KPIs yet">
          The built-in KPIs appear here once the workspace is set up.
        </EmptyState>
      ) : (
        <section className="card card--flush" aria-labelledby="kpi-list-title">
          <div className="card__header card__header--padded">
            <h2 className="card__title" id="kpi-list-title">
              Definitions
            </h2>
          </div>
          <div className="table-wrap">
            <table className="table kpi-table" aria-labelledby="kpi-list-title">
              <thead>
                <tr>
                  <th scope="col">KPI</th>
                  <th scope="col">Computation</th>
                  <th scope="col">Unit</th>
                  <th scope="col">Better when</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Targets</th>
                  {data.mayConfigure ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {data.kpis.map((k) => (
                  <tr key={k.id} aria-current={editing?.id === k.id ? "true" : undefined}>
                    <th scope="row">
                      {k.name}
                      <div className="muted small kpi-table__desc">{k.description}</div>
                    </th>
                    <td className="kpi-table__wrap">{k.builtin ? <span className="badge">Built-in</span> : <span className="small">{describeSpec(k.spec!)}</span>}</td>
                    <td>{UNIT_LABELS[k.unit]}</td>
                    <td>{k.direction === "higher" ? "Higher" : "Lower"}</td>
                    <td>{k.ownerName ?? <span className="muted">No owner</span>}</td>
                    <td className="small kpi-table__wrap">
                      {k.targets.length
                        ? k.targets.map((t) => `${segmentName.get(t.segmentId) ?? "A retired segment"}: ${t.target}`).join("; ")
                        : <span className="muted">None</span>}
                    </td>
                    {data.mayConfigure ? (
                      <td>
                        <Link to={`?edit=${k.id}#edit`} className="button button--ghost button--sm" aria-label={`Edit ${k.name}`}>
                          Edit
                        </Link>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
