import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { AreaPage } from "~/components/area-page";
import { areaByPath } from "~/lib/areas";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

const AREA = areaByPath("/dashboards");

export const meta: MetaFunction = () => [{ title: `${AREA.label} · Quorum` }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, AREA.permission);
  return null;
}

export default function Dashboards() {
  return <AreaPage area={AREA} />;
}
