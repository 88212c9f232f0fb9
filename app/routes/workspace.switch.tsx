import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { loadOrFail, field } from "~/lib/errors.server";
import { safeRedirect } from "~/lib/safe-redirect";

export async function loader() {
  return redirect("/");
}

/** Makes another of the user's workspaces the active one, then opens its overview. */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  await loadOrFail(request, () => context.trpc.auth.switchWorkspace({ tenantId: field(form, "tenantId") }));
  return redirect(safeRedirect(form.get("redirectTo")));
}
