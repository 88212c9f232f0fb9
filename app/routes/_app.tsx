import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { requireWorkspace } from "~/lib/session.server";

/** Every page inside a workspace: signed in (else the login page) with an active workspace. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requireWorkspace(request, context);
  return { user: me.user, workspace: me.workspace, workspaces: me.workspaces, permissions: me.permissions };
}

export default function AppLayout() {
  const me = useLoaderData<typeof loader>();
  return (
    <AppShell user={me.user} workspace={me.workspace} workspaces={me.workspaces} permissions={me.permissions}>
      <Outlet />
    </AppShell>
  );
}
