import { SubmitButton } from "./submit-button";

/**
 * The buttons of an inline "are you sure?" panel: a danger submit (its intent names the action)
 * and a cancel button that takes the focus, so Escape-less keyboard users land on the safe choice.
 */
export function ConfirmActions(props: {
  intent: string;
  label: string;
  pendingLabel: string;
  busy: boolean;
  onCancel: () => void;
  cancelLabel?: string;
}) {
  return (
    <div className="inline-panel__actions">
      <SubmitButton intent={props.intent} variant="danger" pending={props.busy} size="sm" pendingLabel={props.pendingLabel}>
        {props.label}
      </SubmitButton>
      <button type="button" className="button button--ghost button--sm" autoFocus onClick={props.onCancel}>
        {props.cancelLabel ?? "Cancel"}
      </button>
    </div>
  );
}
