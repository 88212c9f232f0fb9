import { Form } from "@remix-run/react";
import { useState } from "react";
import { assignableRoles, ROLE_LABELS, type Role } from "~/lib/roles";
import { CheckboxGroup, SelectField, TextField } from "./form-field";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

interface InviteFormProps {
  regions: { id: string; name: string }[];
  myRole: Role;
  failure?: {
    formError: string | null;
    fieldErrors: Record<string, string>;
    values: { email: string; role: string; regionIds: string[] };
  };
}

/** Invite someone by email address with a role (and, for contributors, regions). */
export function InviteForm({ regions, myRole, failure }: InviteFormProps) {
  const roles = assignableRoles(myRole);
  const initialRole = roles.find((r) => r === failure?.values.role) ?? "contributor";
  const [role, setRole] = useState<Role>(initialRole);
  return (
    <Form method="post" className="form invite-form" noValidate aria-labelledby="invite-title">
      {failure?.formError ? <Notice tone="error">{failure.formError}</Notice> : null}
      <div className="form-row">
        <TextField
          label="Email address"
          name="email"
          type="email"
          autoComplete="off"
          required
          placeholder="name@company.com"
          defaultValue={failure?.values.email}
          error={failure?.fieldErrors.email}
          fieldClassName="form-row__grow"
        />
        <SelectField
          label="Role"
          name="role"
          value={role}
          onChange={(e) => setRole(e.currentTarget.value as Role)}
          error={failure?.fieldErrors.role}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r].label}
            </option>
          ))}
        </SelectField>
      </div>
      <p className="field__description role-hint">
        <strong>{ROLE_LABELS[role].label}:</strong> {ROLE_LABELS[role].description}.
      </p>
      {role === "contributor" ? (
        <CheckboxGroup
          name="regionIds"
          legend="Limit to regions (optional)"
          options={regions.map((r) => ({ value: r.id, label: r.name }))}
          defaultValues={failure?.values.regionIds}
          description="A contributor limited to regions proposes segments for those regions only. None checked means all regions."
          emptyText="No regions yet: add them under Regions to scope contributors."
          error={failure?.fieldErrors.regionIds}
        />
      ) : null}
      <div>
        <SubmitButton intent="invite" pendingLabel="Creating the invitation…">
          Create invitation
        </SubmitButton>
      </div>
    </Form>
  );
}
