import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { safeRedirect } from "~/lib/safe-redirect";

export async function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  await context.trpc.auth.logOut();
  return redirect(safeRedirect(form.get("redirectTo"), "/login"));
}
