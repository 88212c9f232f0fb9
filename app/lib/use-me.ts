import { useRouteLoaderData } from "@remix-run/react";
import type { loader } from "~/routes/_app";
import type { Action } from "./roles";

/** The signed-in member, their workspace and permissions, from the app layout's loader. */
export function useMe() {
  const me = useRouteLoaderData<typeof loader>("routes/_app");
  if (!me) throw new Error("useMe is only available inside the app layout");
  return { ...me, can: (action: Action) => (me.permissions as readonly string[]).includes(action) };
}
