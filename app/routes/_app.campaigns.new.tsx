import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CHANNEL_LABELS } from "~/components/campaigns/format";
import { CheckboxGroup, SelectField, TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "New campaign · Campaigns · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "campaign:manage");
  return loadOrFail(request, async () => {
    const { segments } = await context.trpc.segments.list();
    return { segments: segments.filter((s) => s.status === "active").map((s) => ({ id: s.id, name: s.name, members: s.memberCount ?? 0, region: s.region })) };
  });
}

/** A number from a form field; blank is null, anything unreadable NaN (the service names the field). */
function numberOrNull(value: string): number | null {
  const trimmed = value.trim().replace(/,/g, "");
  return trimmed === "" ? null : Number(trimmed);
}

type Channel = "email" | "paid_media" | "sales" | "web";

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = {
    name: field(form, "name"),
    segmentId: field(form, "segmentId"),
    channels: form.getAll("channels").filter((c): c is string => typeof c === "string"),
    budget: field(form, "budget"),
    actualCost: field(form, "actualCost"),
    periodStart: field(form, "periodStart"),
    periodEnd: field(form, "periodEnd"),
    frequencyCap: field(form, "frequencyCap"),
    holdoutPercent: field(form, "holdoutPercent"),
    stratifyByRegion: form.get("stratifyByRegion") === "on",
    outcome: field(form, "outcome"),
  };
  try {
    const created = await context.trpc.campaigns.create({
      name: values.name,
      segmentId: values.segmentId,
      // Typed as the procedure's input; the procedure validates each channel with zod.
      channels: values.channels as Channel[],
      budget: numberOrNull(values.budget) ?? Number.NaN,
      actualCost: numberOrNull(values.actualCost),
      periodStart: values.periodStart,
      periodEnd: values.periodEnd,
      frequencyCap: numberOrNull(values.frequencyCap),
      holdoutPercent: numberOrNull(values.holdoutPercent) ?? Number.NaN,
      stratifyByRegion: values.stratifyByRegion,
      outcome: values.outcome === "revenue" ? "revenue" : "conversion",
    });
    return redirect(`/campaigns/${created.id}`);
  } catch (error) {
    return { values, ...formFailure(error, request) };
  }
}

export default function NewCampaign() {
  const { segments } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const v = result?.values;
  const err = (name: string) => result?.fieldErrors[name] ?? null;
  if (segments.length === 0) {
    return (
      <Notice tone="info" title="No published segment yet">
        A campaign targets a published segment. <Link to="/segments/new">Propose a segment</Link> and have it approved first.
      </Notice>
    );
  }
  return (
    <section className="card" aria-labelledby="new-campaign-title">
      <h2 id="new-campaign-title" className="card__title">
        New campaign
      </h2>
      <p className="card__subtitle">
        Saved as a draft. Launching it later freezes the segment&apos;s members and holds out the share you choose: they get no campaign, so the difference between the
        groups is the campaign&apos;s effect.
      </p>
      {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
      <Form method="post" className="campaign-form" noValidate>
        <TextField name="name" label="Name" required autoFocus defaultValue={v?.name} error={err("name")} placeholder="Spring win-back" />
        <SelectField name="segmentId" label="Segment" defaultValue={v?.segmentId ?? ""} error={err("segmentId")} required>
          <option value="" disabled>
            Choose a published segment…
          </option>
          {segments.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} — {s.members.toLocaleString("en-GB")} customers{s.region ? ` (${s.region})` : ""}
            </option>
          ))}
        </SelectField>
        <CheckboxGroup
          name="channels"
          legend="Channels"
          options={Object.entries(CHANNEL_LABELS).map(([value, label]) => ({ value, label }))}
          defaultValues={v?.channels ?? ["email"]}
          error={err("channels")}
        />
        <div className="campaign-form__row">
          <TextField name="periodStart" type="date" label="Starts" required defaultValue={v?.periodStart} error={err("periodStart")} />
          <TextField name="periodEnd" type="date" label="Ends" required defaultValue={v?.periodEnd} error={err("periodEnd")} description="Outcomes are counted from the start day to the end day inclusive." />
        </div>
        <div className="campaign-form__row">
          <TextField name="budget" inputMode="decimal" label="Budget" required defaultValue={v?.budget} error={err("budget")} placeholder="5000" />
          <TextField name="actualCost" inputMode="decimal" label="Actual cost (optional)" defaultValue={v?.actualCost} error={err("actualCost")} description="ROI uses it once entered, the budget until then." />
          <TextField name="frequencyCap" inputMode="numeric" label="Frequency cap (optional)" defaultValue={v?.frequencyCap} error={err("frequencyCap")} description="Most contacts per customer a week." />
        </div>
        <div className="campaign-form__row">
          <TextField
            name="holdoutPercent"
            inputMode="decimal"
            label="Holdout %"
            required
            defaultValue={v?.holdoutPercent ?? "10"}
            error={err("holdoutPercent")}
            description="1–50% of the segment get no campaign. 10% is usual; more gives a tighter interval."
          />
          <SelectField name="outcome" label="Main outcome" defaultValue={v?.outcome ?? "conversion"} error={err("outcome")} description="Both are measured; this one leads the results.">
            <option value="conversion">Conversion (share of customers who convert)</option>
            <option value="revenue">Revenue per customer</option>
          </SelectField>
        </div>
        <label className="checkbox">
          <input type="checkbox" name="stratifyByRegion" defaultChecked={v?.stratifyByRegion ?? true} />
          <span>Stratify by region — hold out exactly the same share in every region</span>
        </label>
        <div className="button-row">
          <SubmitButton pendingLabel="Saving…">Save draft</SubmitButton>
          <Link to="/campaigns" className="button button--ghost">
            Cancel
          </Link>
        </div>
      </Form>
    </section>
  );
}
