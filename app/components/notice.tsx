import type { ReactNode } from "react";
import { AlertIcon, CheckIcon, InfoIcon } from "./icons";

interface NoticeProps {
  tone?: "info" | "success" | "error" | "warning";
  title?: ReactNode;
  children?: ReactNode;
  id?: string;
}

const ICONS = { info: InfoIcon, success: CheckIcon, error: AlertIcon, warning: AlertIcon };

/** A message box; errors are announced as alerts, the rest politely. */
export function Notice({ tone = "info", title, children, id }: NoticeProps) {
  const Icon = ICONS[tone];
  return (
    <div className={`notice notice--${tone}`} role={tone === "error" ? "alert" : "status"} id={id}>
      <Icon className="notice__icon" />
      <div className="notice__body">
        {title ? <p className="notice__title">{title}</p> : null}
        {children ? <div className="notice__text">{children}</div> : null}
      </div>
    </div>
  );
}
