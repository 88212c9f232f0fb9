import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { AuthCard } from "./components/auth-card";
import { useCspNonce } from "./lib/csp-nonce";
import styles from "./styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  {
    rel: "icon",
    type: "image/svg+xml",
    href: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%234338ca'/%3E%3Ccircle cx='15' cy='15' r='7' fill='none' stroke='white' stroke-width='3'/%3E%3Cpath d='m19.5 19.5 5 5' stroke='white' stroke-width='3' stroke-linecap='round'/%3E%3C/svg%3E",
  },
];
export const meta: MetaFunction = () => [{ title: "Quorum" }];

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useCspNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        {/* Before any module: zod builds object parsers with new Function() when it may, and its
            probe for that is refused (and reported) under our CSP without 'unsafe-eval'
            (decision 017); in the browser zod only checks small forms, so it runs jitless. */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: "globalThis.__zod_globalConfig={jitless:true};" }} />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

function messageOf(data: unknown): string {
  if (typeof data === "string") return data;
  if (typeof data === "object" && data !== null && "message" in data && typeof data.message === "string")
    return data.message;
  return "";
}

export function ErrorBoundary() {
  const error = useRouteError();
  const response = isRouteErrorResponse(error) ? error : null;
  const title =
    response?.status === 404
      ? "Page not found"
      : response?.status === 403
      ? "Not allowed"
      : response
      ? `${response.status} ${response.statusText}`
      : "Something went wrong";
  const detail =
    response?.status === 404
      ? "There is no page at this address. Check the link, or start again from the overview."
      : (response && messageOf(response.data)) ||
        "An unexpected error happened on our side. Reload the page; if it keeps happening, tell your workspace admin.";
  return (
    <AuthCard title={title}>
      <p className="auth-card__subtitle">{detail}</p>
      <a href="/" className="button button--secondary button--block">
        Back to Quorum
      </a>
    </AuthCard>
  );
}
