import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

interface StatCardProps {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  /** Where the number leads: the list behind it. */
  to?: string;
}

/** One headline number with its label and a short explanation. */
export function StatCard({ label, value, hint, to }: StatCardProps) {
  return (
    <div className="stat">
      <dt className="stat__label">{label}</dt>
      <dd className="stat__value">{to ? <Link to={to}>{value}</Link> : value}</dd>
      {hint ? <dd className="stat__hint">{hint}</dd> : null}
    </div>
  );
}
