import { Form, useNavigation } from "@remix-run/react";
import { useId } from "react";
import { SubmitButton } from "~/components/submit-button";

/**
 * "Propose as segment" for one cluster: a name (the suggested one to start with) and a button
 * that creates a draft proposal whose rule is membership of this cluster.
 */
export function ProposeCluster({ cluster, name, error }: { cluster: number; name: string; error: string | null }) {
  const id = useId();
  const navigation = useNavigation();
  const pending =
    navigation.state !== "idle" &&
    navigation.formData?.get("intent") === "propose" &&
    navigation.formData?.get("cluster") === String(cluster);
  return (
    <Form method="post" className="propose-cluster" noValidate>
      <input type="hidden" name="cluster" value={cluster} />
      <label htmlFor={id} className="visually-hidden">
        Segment name for cluster {cluster}
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
      <SubmitButton intent="propose" size="sm" pending={pending} pendingLabel="Proposing…">
        Propose as segment
      </SubmitButton>
      {error ? (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </Form>
  );
}
