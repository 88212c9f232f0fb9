import { Form, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { ConfirmActions } from "~/components/confirm-actions";
import { Notice } from "~/components/notice";

/**
 * Deleting a finished run (with its clusters and assignments), behind an inline "are you sure?".
 * The server refuses while segments or open proposals use its clusters and says which.
 */
export function DeleteRun({ n, error }: { n: number | null; error: string | null }) {
  const [confirm, setConfirm] = useState(false);
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "delete";
  return (
    <section className="card stack" aria-labelledby="delete-run-title">
      <div>
        <h2 id="delete-run-title" className="card__title">
          Delete this run
        </h2>
        <p className="card__subtitle">
          Removes the run with its metrics, profiles and {n ? `the cluster of each of its ${n.toLocaleString("en-GB")} customers` : "assignments"}. A run
          whose clusters a segment or an open proposal uses cannot be deleted.
        </p>
      </div>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {confirm ? (
        <Form method="post" className="confirm-card" aria-label="Delete this model run">
          <p>Delete this model run for good? This cannot be undone; the audit log keeps its settings.</p>
          <ConfirmActions intent="delete" label="Delete run" pendingLabel="Deleting…" busy={busy} onCancel={() => setConfirm(false)} />
        </Form>
      ) : (
        <div className="button-row">
          <button type="button" className="button button--ghost button--danger-text" aria-expanded={confirm} onClick={() => setConfirm(true)}>
            Delete run…
          </button>
        </div>
      )}
    </section>
  );
}
