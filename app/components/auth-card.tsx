import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { QuorumMark } from "./icons";

/** The centred card of the pages outside a workspace: log in, sign up, invitations, first workspace. */
export function AuthCard({
  title,
  subtitle,
  children,
  footer,
  wide,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  return (
    <div className="auth-page">
      <Link to="/" className="auth-page__brand">
        <QuorumMark />
        <span>Quorum</span>
      </Link>
      <main className={`auth-card${wide ? " auth-card--wide" : ""}`}>
        <h1 className="auth-card__title">{title}</h1>
        {subtitle ? <p className="auth-card__subtitle">{subtitle}</p> : null}
        {children}
      </main>
      {footer ? <div className="auth-page__footer">{footer}</div> : null}
    </div>
  );
}
