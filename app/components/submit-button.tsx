import { useNavigation } from "@remix-run/react";
import type { ButtonHTMLAttributes, ReactNode } from "react";

interface SubmitButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  children: ReactNode;
  /** Shown while the form is being submitted. */
  pendingLabel?: ReactNode;
  /** The form's intent: only a submission with this intent marks the button pending. */
  intent?: string;
  /** Set by fetcher forms, which useNavigation does not see. */
  pending?: boolean;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  size?: "md" | "sm";
}

/** A submit button that is disabled and says so while its form is on its way. */
export function SubmitButton({
  children,
  pendingLabel,
  intent,
  pending,
  variant = "primary",
  size = "md",
  className,
  disabled,
  ...rest
}: SubmitButtonProps) {
  const navigation = useNavigation();
  const submitting =
    pending ??
    (navigation.state !== "idle" &&
      navigation.formMethod !== undefined &&
      navigation.formMethod.toUpperCase() === "POST" &&
      (intent === undefined || navigation.formData?.get("intent") === intent));
  return (
    <button
      type="submit"
      name={intent ? "intent" : undefined}
      value={intent}
      className={`button button--${variant}${size === "sm" ? " button--sm" : ""}${className ? ` ${className}` : ""}`}
      disabled={disabled || submitting}
      aria-disabled={disabled || submitting ? true : undefined}
      {...rest}
    >
      {submitting && pendingLabel ? pendingLabel : children}
    </button>
  );
}
