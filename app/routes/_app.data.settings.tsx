import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { formatShare } from "~/lib/data";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Settings · Data · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "data:read");
  const settings = await loadOrFail(request, () => context.trpc.data.settings());
  return { settings, canConfigure: me.permissions.includes("data:configure") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const raw = field(form, "maxMissingPercent").trim().replace(",", ".");
  const percent = Number(raw);
  const values = {
    maxMissingPercent: raw,
    dropCancellations: form.get("dropCancellations") === "on",
    dropNonPositive: form.get("dropNonPositive") === "on",
  };
  if (!raw || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    return {
      ok: false as const,
      formError: null,
      fieldErrors: { maxMissingPercent: `Enter a percentage from 0 to 100 (got “${raw}”).` },
      values,
    };
  }
  try {
    await context.trpc.data.updateSettings({
      maxMissingShare: percent / 100,
      preparation: { dropCancellations: values.dropCancellations, dropNonPositive: values.dropNonPositive },
    });
    return { ok: true as const, formError: null, fieldErrors: {} as Record<string, string>, values };
  } catch (error) {
    const failure = formFailure(error, request);
    const fieldErrors: Record<string, string> = {};
    if (failure.fieldErrors.maxMissingShare) fieldErrors.maxMissingPercent = failure.fieldErrors.maxMissingShare;
    return { ok: false as const, formError: failure.formError, fieldErrors, values };
  }
}

/** "20" for 0.2, without float noise such as 14.000000000000002. */
function percentOf(share: number): string {
  return String(Number((share * 100).toFixed(2)));
}

export default function DataSettings() {
  const { settings, canConfigure } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failed = result?.ok === false ? result.values : null;
  return (
    <section className="card" aria-labelledby="data-settings-title">
      <h2 id="data-settings-title" className="card__title">
        Data preparation
      </h2>
      <p className="card__subtitle">
        How imported data is judged and prepared before modelling. Changes apply to the next import: its quality report
        uses the new limit, and RFM features are recomputed with the new rules.
      </p>
      {canConfigure ? (
        <Form method="post" className="form settings-form" noValidate>
          {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
          {result?.ok ? <Notice tone="success">Data settings saved.</Notice> : null}
          <TextField
            label="Most missing values a column may have for modelling (%)"
            name="maxMissingPercent"
            type="number"
            inputMode="decimal"
            min={0}
            max={100}
            step="any"
            required
            defaultValue={failed ? failed.maxMissingPercent : percentOf(settings.maxMissingShare)}
            key={`${settings.maxMissingShare}`}
            error={result?.fieldErrors.maxMissingPercent}
            description="A column with a larger share of empty values is flagged in quality reports and cannot be used as a model feature."
            fieldClassName="settings-form__narrow"
          />
          <fieldset className="field checkbox-list">
            <legend className="field__label">Before RFM, leave out</legend>
            <label className="checkbox-line">
              <input
                type="checkbox"
                name="dropCancellations"
                defaultChecked={failed ? failed.dropCancellations : settings.preparation.dropCancellations}
              />
              <span>
                <strong>Cancellations</strong>
                <span className="muted small">Invoices whose number starts with C (returns and cancelled orders).</span>
              </span>
            </label>
            <label className="checkbox-line">
              <input
                type="checkbox"
                name="dropNonPositive"
                defaultChecked={failed ? failed.dropNonPositive : settings.preparation.dropNonPositive}
              />
              <span>
                <strong>Zero or negative quantities and prices</strong>
                <span className="muted small">Adjustments, samples and data-entry errors that are not purchases.</span>
              </span>
            </label>
          </fieldset>
          <div>
            <SubmitButton pendingLabel="Saving…">Save data settings</SubmitButton>
          </div>
        </Form>
      ) : (
        <>
          <dl className="details-list">
            <div>
              <dt>Missing values allowed for modelling</dt>
              <dd>Up to {formatShare(settings.maxMissingShare)} per column</dd>
            </div>
            <div>
              <dt>Cancellations</dt>
              <dd>{settings.preparation.dropCancellations ? "Left out of RFM" : "Counted in RFM"}</dd>
            </div>
            <div>
              <dt>Zero or negative quantities and prices</dt>
              <dd>{settings.preparation.dropNonPositive ? "Left out of RFM" : "Counted in RFM"}</dd>
            </div>
          </dl>
          <p className="muted small">Owners, admins and analysts can change these settings.</p>
        </>
      )}
    </section>
  );
}
