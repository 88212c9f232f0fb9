import { startEmbeddedPostgres } from "../../db/embedded";

// Starts the embedded PostgreSQL in the folder given and waits to be killed: the test kills
// this process hard, leaving its PostgreSQL orphaned, as after a crash of `npm start`.
const pg = await startEmbeddedPostgres({ dataDir: process.argv[2] });
process.stdout.write(`${pg.url}\n`);
setInterval(() => {}, 1 << 30);
