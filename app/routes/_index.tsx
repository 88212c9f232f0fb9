import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

export async function loader({ context }: LoaderFunctionArgs) {
  return context.trpc.auth.me();
}

export default function Index() {
  const me = useLoaderData<typeof loader>();
  return <pre>{JSON.stringify(me, null, 2)}</pre>;
}
