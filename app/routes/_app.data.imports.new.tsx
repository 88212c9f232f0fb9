import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FileUpload } from "~/components/data/file-upload";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Upload a file · Data · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "data:import");
  const asked = new URL(request.url).searchParams.get("kind");
  const kind = asked === "transactions" || asked === "events" ? asked : "customers";
  return { kind, maxMegabytes: context.ctx.config.MAX_UPLOAD_MB } as const;
}

export default function NewImport() {
  const { kind, maxMegabytes } = useLoaderData<typeof loader>();
  return (
    <section className="card upload-card" aria-labelledby="upload-title">
      <div className="card__header">
        <div>
          <h2 id="upload-title" className="card__title">
            Upload a file
          </h2>
          <p className="card__subtitle">
            Step 1 of 2. Nothing is imported yet: next you check which column feeds which field, then start the import.
            The file is kept as uploaded. <Link to="/data/imports">Back to imports</Link>
          </p>
        </div>
      </div>
      <FileUpload key={kind} initialKind={kind} maxMegabytes={maxMegabytes} />
    </section>
  );
}
