import { createDatabase } from "../client";
import { bootDatabase } from "../boot";
import { parseConfig } from "../../server/config";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "./demo";
import { createBoss, jobQueueFor } from "../../workers/queues";

const config = parseConfig();
const boot = await bootDatabase(config, () => {});
const db = createDatabase(boot.appUrl);
try {
  const { created } = await seedDemo(db, jobQueueFor(createBoss(boot.appUrl)), (m) => process.stdout.write(`${m}\n`));
  process.stdout.write(
    created
      ? `Seeded the demo workspace. Logins (password ${DEMO_PASSWORD}):\n${DEMO_USERS.map((u) => `  ${u.role.padEnd(12)} ${u.email}`).join("\n")}\n`
      : "The demo workspace is already there; nothing changed.\n",
  );
} finally {
  await db.close();
  await boot.stop();
}
