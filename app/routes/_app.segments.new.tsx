import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { SelectField, TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";
import { DECISION_USES, DECISION_USE_LABELS, type DecisionUse } from "../../server/services/segments/definition";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "New segment · Segments · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "segment:propose");
  const options = await loadOrFail(request, () => context.trpc.segments.builderOptions());
  const parents = options.segments.filter((s) => !s.parentId && s.status === "active");
  const wanted = new URL(request.url).searchParams.get("parent");
  return {
    parents,
    regions: options.regions,
    parentId: parents.some((p) => p.id === wanted) ? wanted : null,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = {
    name: field(form, "name"),
    description: field(form, "description"),
    parentId: field(form, "parentId"),
    regionId: field(form, "regionId"),
    decisionUse: field(form, "decisionUse") || "none",
  };
  const fieldErrors: Record<string, string> = {};
  if (!values.name.trim()) fieldErrors.name = "Give the segment a name, such as “Loyal big spenders”.";
  if (values.parentId && !values.regionId) fieldErrors.regionId = "Choose the region this variant is for.";
  if (!(DECISION_USES as readonly string[]).includes(values.decisionUse)) fieldErrors.decisionUse = "Choose one of the listed decision uses.";
  if (Object.keys(fieldErrors).length) return { formError: null, fieldErrors, values };
  try {
    const created = await context.trpc.segments.createProposal({
      kind: "create",
      name: values.name,
      description: values.description,
      parentId: values.parentId || null,
      regionId: values.regionId || null,
      decisionUse: values.decisionUse as DecisionUse,
    });
    return redirect(`/segments/proposals/${created.proposalId}`);
  } catch (error) {
    const failure = formFailure(error, request);
    const labels: Record<string, string> = { name: "Name", description: "Description", parentId: "Parent segment", regionId: "Region", decisionUse: "Decision use" };
    for (const [key, message] of Object.entries(failure.fieldErrors)) failure.fieldErrors[key] = `${labels[key] ?? key} ${message}.`;
    return { ...failure, values };
  }
}

export default function NewSegment() {
  const { parents, regions, parentId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [variant, setVariant] = useState(Boolean(result?.values.parentId || parentId));
  return (
    <>
      <PageHeader
        title="New segment"
        description="Name the segment and say who it is for. It starts as a draft proposal: you and your colleagues build its rules together, see who it selects, and submit it to the committee."
      />
      <section className="card new-segment" aria-labelledby="new-segment-title">
        <h2 id="new-segment-title" className="card__title">
          What is it?
        </h2>
        <p className="card__subtitle">You can change everything here in the draft before submitting it.</p>
        <Form method="post" className="form" noValidate>
          {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
          <TextField
            label="Name"
            name="name"
            required
            maxLength={120}
            autoFocus
            placeholder="e.g. Loyal big spenders"
            defaultValue={result?.values.name}
            error={result?.fieldErrors.name}
          />
          <TextField
            label="Description (optional)"
            name="description"
            maxLength={4000}
            placeholder="Who these customers are, in a sentence"
            defaultValue={result?.values.description}
            error={result?.fieldErrors.description}
          />
          <SelectField
            label="Used for decisions about customers?"
            name="decisionUse"
            defaultValue={result?.values.decisionUse ?? "none"}
            error={result?.fieldErrors.decisionUse}
            description="A segment used for pricing, credit-like or service-level decisions is audited for bias before every publication; if a group is selected at under four-fifths of the top group's rate, the committee must record a justification before it is published."
          >
            {DECISION_USES.map((u) => (
              <option key={u} value={u}>
                {DECISION_USE_LABELS[u]}
              </option>
            ))}
          </SelectField>
          <fieldset className="field choice-group">
            <legend className="field__label">Scope</legend>
            <div className="choice-group__options">
              <label className="choice">
                <input type="radio" name="scope" value="global" checked={!variant} onChange={() => setVariant(false)} />
                <span className="choice__text">
                  <span className="choice__label">A global segment</span>
                  <span className="choice__description">Defined by its own rules, for every region.</span>
                </span>
              </label>
              <label className="choice">
                <input
                  type="radio"
                  name="scope"
                  value="variant"
                  checked={variant}
                  disabled={!parents.length || !regions.length}
                  onChange={() => setVariant(true)}
                />
                <span className="choice__text">
                  <span className="choice__label">A regional variant</span>
                  <span className="choice__description">
                    {parents.length && regions.length
                      ? "Refines a published global segment for one region: its members are the parent's members in that region who also match its rules."
                      : !regions.length
                        ? "Needs regions: an admin adds them under Settings › Regions."
                        : "Needs a published global segment to refine."}
                  </span>
                </span>
              </label>
            </div>
          </fieldset>
          {variant ? (
            <div className="form-row">
              <SelectField
                label="Parent segment"
                name="parentId"
                required
                defaultValue={result?.values.parentId || parentId || ""}
                error={result?.fieldErrors.parentId}
                fieldClassName="form-row__grow"
              >
                <option value="" disabled>
                  Choose a segment…
                </option>
                {parents.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label="Region"
                name="regionId"
                required
                defaultValue={result?.values.regionId ?? ""}
                error={result?.fieldErrors.regionId}
                fieldClassName="form-row__grow"
              >
                <option value="" disabled>
                  Choose a region…
                </option>
                {regions.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </SelectField>
            </div>
          ) : null}
          <div className="button-row">
            <SubmitButton pendingLabel="Creating the draft…">Create draft proposal</SubmitButton>
            <Link to="/segments" className="button button--ghost">
              Cancel
            </Link>
          </div>
        </Form>
      </section>
    </>
  );
}
