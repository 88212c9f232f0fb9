import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { AlertIcon, LockIcon } from "./icons";

function messageOf(data: unknown): string | null {
  if (typeof data === "string") return data || null;
  if (typeof data === "object" && data !== null && "message" in data && typeof data.message === "string")
    return data.message;
  return null;
}

/** Error boundary for pages inside the app shell: the shell stays, the page says what happened. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 403) {
    return (
      <section className="error-panel">
        <div className="error-panel__icon">
          <LockIcon width={28} height={28} />
        </div>
        <p className="error-panel__code">403 · Not allowed</p>
        <h1 className="error-panel__title">Your role does not allow this page</h1>
        <p className="error-panel__text">{messageOf(error.data) ?? "Ask a workspace admin if you need access."}</p>
        <Link to="/" className="button button--secondary">
          Back to the overview
        </Link>
      </section>
    );
  }
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <section className="error-panel">
        <div className="error-panel__icon">
          <AlertIcon width={28} height={28} />
        </div>
        <p className="error-panel__code">404 · Not found</p>
        <h1 className="error-panel__title">There is nothing here</h1>
        <p className="error-panel__text">
          {messageOf(error.data) ?? "The page or the item you asked for does not exist in this workspace."}
        </p>
        <Link to="/" className="button button--secondary">
          Back to the overview
        </Link>
      </section>
    );
  }
  return (
    <section className="error-panel">
      <div className="error-panel__icon error-panel__icon--danger">
        <AlertIcon width={28} height={28} />
      </div>
      <p className="error-panel__code">{isRouteErrorResponse(error) ? `${error.status}` : "Error"}</p>
      <h1 className="error-panel__title">Something went wrong</h1>
      <p className="error-panel__text">
        {isRouteErrorResponse(error)
          ? messageOf(error.data) ?? error.statusText
          : "An unexpected error happened on our side. Reload the page; if it keeps happening, tell your workspace admin."}
      </p>
      <Link to="/" className="button button--secondary">
        Back to the overview
      </Link>
    </section>
  );
}
