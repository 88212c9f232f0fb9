import type { ComponentType, ReactNode, SVGProps } from "react";

interface EmptyStateProps {
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  title: string;
  children: ReactNode;
  /** What the area will let people do, as a short list. */
  features?: string[];
  action?: ReactNode;
}

/** A friendly placeholder: what will be here, and what to do next when there is something. */
export function EmptyState({ icon: Icon, title, children, features, action }: EmptyStateProps) {
  return (
    <section className="empty-state" aria-label={title}>
      <div className="empty-state__icon">
        <Icon width={28} height={28} />
      </div>
      <h2 className="empty-state__title">{title}</h2>
      <p className="empty-state__text">{children}</p>
      {features?.length ? (
        <ul className="empty-state__features">
          {features.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      ) : null}
      {action ? <div className="empty-state__action">{action}</div> : null}
    </section>
  );
}
