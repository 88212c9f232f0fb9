import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { field, formFailure } from "~/lib/errors.server";
import { safeRedirect } from "~/lib/safe-redirect";

export async function loader() {
  return redirect("/");
}

/**
 * Makes another of the user's workspaces the active one, then opens its overview. A refusal
 * (no longer a member) comes back to the switcher as a message.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  try {
    await context.trpc.auth.switchWorkspace({ tenantId: field(form, "tenantId") });
  } catch (error) {
    const status = error instanceof TRPCError && error.code === "FORBIDDEN" ? 403 : 400;
    return data({ error: formFailure(error, request).formError ?? "That workspace cannot be opened." }, { status });
  }
  return redirect(safeRedirect(form.get("redirectTo")));
}
