import { Form, useNavigation } from "@remix-run/react";
import { useId } from "react";
import { SubmitButton } from "~/components/submit-button";

/**
 * A name (a suggestion to start with) and a button that creates a draft proposal for one
 * cluster and opens it. `intent` says what the definition is: "propose" = membership of the
 * cluster, "proposeRules" = the decision tree's rules for it (the route's action builds both).
 */
export function ProposeCluster({
  cluster,
  name,
  error,
  intent = "propose",
}: {
  cluster: number;
  name: string;
  error: string | null;
  intent?: "propose" | "proposeRules";
}) {
  const id = useId();
  const navigation = useNavigation();
  const rules = intent === "proposeRules";
  const pending =
    navigation.state !== "idle" && navigation.formData?.get("intent") === intent && navigation.formData?.get("cluster") === String(cluster);
  return (
    <Form method="post" className="propose-cluster" noValidate>
      <input type="hidden" name="cluster" value={cluster} />
      <label htmlFor={id} className="visually-hidden">
        {rules ? `Segment name for the rules of cluster ${cluster}` : `Segment name for cluster ${cluster}`}
      </label>
      <input
        id={id}
        name="name"
        className="input"
        defaultValue={name}
        maxLength={120}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <SubmitButton intent={intent} size="sm" variant={rules ? "secondary" : undefined} pending={pending} pendingLabel="Proposing…">
        {rules ? "Propose these rules as a segment" : "Propose as segment"}
      </SubmitButton>
      {error ? (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </Form>
  );
}
