import { Form } from "@remix-run/react";
import { initials } from "~/lib/format";
import { ROLE_LABELS, type Role } from "~/lib/roles";
import { ChevronDownIcon, LogOutIcon } from "./icons";
import { Menu } from "./menu";
import { RoleBadge } from "./role-badge";

interface UserMenuProps {
  user: { name: string; email: string };
  role: Role;
}

/** Who is signed in, their role here, and the way out. */
export function UserMenu({ user, role }: UserMenuProps) {
  return (
    <Menu
      align="end"
      label={`Account: ${user.name}, ${ROLE_LABELS[role].label}`}
      className="user-menu"
      summary={
        <>
          <span className="avatar" aria-hidden="true">
            {initials(user.name)}
          </span>
          <span className="user-menu__who">
            <span className="user-menu__name">{user.name}</span>
            <RoleBadge role={role} />
          </span>
          <ChevronDownIcon width={16} height={16} className="menu__chevron" />
        </>
      }
    >
      <div className="user-menu__card">
        <p className="user-menu__card-name">{user.name}</p>
        <p className="user-menu__card-email">{user.email}</p>
        <p className="user-menu__card-role">
          <RoleBadge role={role} /> <span>{ROLE_LABELS[role].description}</span>
        </p>
      </div>
      <div className="menu__separator" />
      <Form method="post" action="/logout">
        <button type="submit" className="menu__item">
          <LogOutIcon width={16} height={16} />
          <span className="menu__item-text">Log out</span>
        </button>
      </Form>
    </Menu>
  );
}
