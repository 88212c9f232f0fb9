import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, pageRecorder, type TestBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * The first days of a workspace, through the browser: an owner signs up and creates it, adds a
 * region, invites a contributor limited to that region; the contributor opens the link, signs
 * up, joins and sees only their role's navigation; logging out protects the app; the owner's
 * audit log shows the invitation and the join, and its chain verifies.
 */

const SHOTS = path.resolve("test-results/e2e-onboarding");
const PASSWORD = "correct horse battery staple";
const OWNER = { name: "Olga Owner", email: "olga@acme.test" };
const INVITEE = { name: "Carla Contributor", email: "carla@acme.test" };
const WORKSPACE = "Acme Analytics";
const REGION = "EMEA";

let server: TestServer;
let browser: TestBrowser;
let owner: Page;
let invitee: Page;
let inviteLink = "";

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 10_000 });

function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  owner = await openPage(await browser.newContext());
  invitee = await openPage(await browser.newContext());
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("onboarding a workspace in the browser", () => {
  it("signs a new user up and has them create their first workspace", async () => {
    await owner.goto(`${server.url}/segments`);
    await owner.waitForURL(`${server.url}/login?redirectTo=%2Fsegments`);
    await shot(owner, "login-redirect");

    await owner.getByRole("link", { name: "Create an account" }).click();
    await owner.waitForURL(/\/signup\?redirectTo=%2Fsegments$/);
    await owner.getByLabel("Your name").fill(OWNER.name);
    await owner.getByLabel("Work email").fill(OWNER.email);
    await owner.getByLabel("Password").fill(PASSWORD);
    await shot(owner, "signup");
    await owner.getByRole("button", { name: "Create account" }).click();

    await owner.waitForURL(`${server.url}/workspaces/new`);
    await owner.getByRole("heading", { name: "Create your first workspace" }).waitFor();
    await owner.getByLabel("Workspace name").fill(WORKSPACE);
    await shot(owner, "create-workspace");
    await owner.getByRole("button", { name: "Create workspace" }).click();

    await owner.waitForURL(`${server.url}/`);
    await owner.getByRole("heading", { name: "Welcome, Olga" }).waitFor();
    await expect(owner.locator(".workspace-switcher__name").textContent()).resolves.toBe(WORKSPACE);
    await expect(owner.locator(".user-menu > summary .badge").textContent()).resolves.toBe("Owner");
    for (const item of [
      "Segments",
      "Sessions",
      "SWOT",
      "Data",
      "Models",
      "Monitoring",
      "Dashboards",
      "Audit log",
      "Settings",
    ]) {
      await mainNav(owner).getByRole("link", { name: item, exact: true }).waitFor();
    }
    await shot(owner, "owner-overview");
  });

  it("adds a region and invites a contributor limited to it", async () => {
    await mainNav(owner).getByRole("link", { name: "Settings", exact: true }).click();
    await owner.waitForURL(`${server.url}/settings/members`);
    await owner.getByRole("link", { name: "Regions", exact: true }).click();
    await owner.waitForURL(`${server.url}/settings/regions`);
    await owner.getByLabel("Region name").fill(REGION);
    await owner.getByRole("button", { name: "Add region" }).click();
    await owner.getByRole("cell", { name: REGION, exact: true }).waitFor();
    await shot(owner, "regions");

    await owner.getByRole("link", { name: "Members", exact: true }).click();
    await owner.waitForURL(`${server.url}/settings/members`);
    await owner.getByLabel("Email address").fill(INVITEE.email);
    await owner.getByLabel("Role", { exact: true }).selectOption("contributor");
    await owner.getByLabel(REGION, { exact: true }).check();
    await owner.getByRole("button", { name: "Create invitation" }).click();

    await owner.getByText(`Invitation created for ${INVITEE.email}`).waitFor();
    inviteLink = await owner.getByLabel(`Invitation link for ${INVITEE.email}`).inputValue();
    expect(inviteLink.startsWith(`${server.url}/invite/`)).toBe(true);
    const pending = owner.getByRole("row").filter({ hasText: INVITEE.email });
    await pending.getByText("Pending").waitFor();
    await pending.getByText(REGION).waitFor();
    await shot(owner, "invite-created");
  });

  it("lets the invited person sign up from the link, which joins them, and see only a contributor's navigation", async () => {
    await invitee.goto(inviteLink);
    await invitee.getByRole("heading", { name: `Join ${WORKSPACE}` }).waitFor();
    await expect(invitee.getByLabel("Email").inputValue()).resolves.toBe(INVITEE.email);
    await expect(invitee.getByLabel("Email").getAttribute("readonly")).resolves.not.toBeNull();
    await expect(invitee.locator(".invite-details").textContent()).resolves.toContain(OWNER.name);
    await expect(invitee.getByRole("link", { name: "Log in to accept" }).getAttribute("href")).resolves.toBe(
      `/login?redirectTo=${encodeURIComponent(new URL(inviteLink).pathname)}`
    );
    await shot(invitee, "invitation");

    await invitee.getByLabel("Your name").fill(INVITEE.name);
    await invitee.getByLabel("Password").fill(PASSWORD);
    await invitee.getByRole("button", { name: "Create account" }).click();

    // Creating the account from the link also joins the workspace.
    await invitee.waitForURL(`${server.url}/`);
    await invitee.getByRole("heading", { name: "Welcome, Carla" }).waitFor();
    await expect(invitee.locator(".workspace-switcher__name").textContent()).resolves.toBe(WORKSPACE);
    await expect(invitee.locator(".user-menu > summary .badge").textContent()).resolves.toBe("Contributor");
    for (const item of ["Overview", "Segments", "Sessions", "SWOT", "Dashboards", "Settings"]) {
      await mainNav(invitee).getByRole("link", { name: item, exact: true }).waitFor();
    }
    for (const item of ["Data", "Models", "Monitoring", "Audit log"]) {
      await expect(mainNav(invitee).getByRole("link", { name: item, exact: true }).count()).resolves.toBe(0);
    }
    await shot(invitee, "contributor-overview");

    await mainNav(invitee).getByRole("link", { name: "Settings", exact: true }).click();
    await invitee.waitForURL(`${server.url}/settings/members`);
    const carla = invitee.getByRole("row").filter({ hasText: INVITEE.email });
    await carla.getByText("Contributor", { exact: true }).waitFor();
    await carla.getByText(REGION).waitFor();
    await expect(invitee.getByRole("heading", { name: "Invite someone" }).count()).resolves.toBe(0);
    await expect(invitee.getByRole("button", { name: "Create invitation" }).count()).resolves.toBe(0);
    await expect(invitee.getByRole("button", { name: /^(Edit|Remove) / }).count()).resolves.toBe(0);
    await shot(invitee, "contributor-members");

    await invitee.goto(`${server.url}/audit`);
    await invitee.getByRole("heading", { name: "Your role does not allow this page" }).waitFor();
    await shot(invitee, "contributor-audit-forbidden");
  });

  it("logs out, after which app pages redirect to the login page", async () => {
    await invitee.locator(".user-menu > summary").click();
    await invitee.getByRole("button", { name: "Log out" }).click();
    await invitee.waitForURL(`${server.url}/login`);

    await invitee.goto(`${server.url}/settings/members`);
    await invitee.waitForURL(`${server.url}/login?redirectTo=%2Fsettings%2Fmembers`);
    await invitee.getByRole("heading", { name: "Log in to Quorum" }).waitFor();
    await shot(invitee, "logged-out-redirect");

    await invitee.goto(inviteLink);
    await invitee.getByText("This invitation has already been used").waitFor();
    await shot(invitee, "invitation-used");
  });

  it("shows the owner the invitation and the join in the audit log, with an intact chain", async () => {
    await mainNav(owner).getByRole("link", { name: "Audit log", exact: true }).click();
    await owner.waitForURL(`${server.url}/audit`);
    const entries = owner.locator("table.table--audit > tbody > tr");
    await entries.filter({ hasText: "member.join" }).getByRole("cell", { name: INVITEE.email, exact: true }).waitFor();
    await entries.filter({ hasText: "invite.create" }).getByRole("cell", { name: OWNER.email, exact: true }).waitFor();
    const actions = await entries.locator("td:nth-child(4)").allTextContents();
    expect(actions.slice(0, 2)).toEqual(["member.join", "invite.create"]);

    await owner.getByRole("button", { name: "Verify integrity" }).click();
    await owner.getByText("The audit log is intact").waitFor();
    await shot(owner, "audit-log");

    await owner.getByLabel("Action").fill("member.");
    await owner.getByRole("button", { name: "Apply" }).click();
    await owner.waitForURL(`${server.url}/audit?action=member.`);
    await entries.filter({ hasText: "invite.create" }).first().waitFor({ state: "detached" });
    await expect(entries.locator("td:nth-child(4)").allTextContents()).resolves.toEqual(["member.join"]);
    await expect(owner.getByRole("link", { name: "Export CSV" }).getAttribute("href")).resolves.toBe(
      "/audit/export.csv?action=member."
    );
    await shot(owner, "audit-log-filtered");

    expect(browserErrors).toEqual([]);
  });
});
