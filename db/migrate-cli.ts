import { parseConfig } from "../server/config";
import { bootDatabase } from "./boot";

const boot = await bootDatabase(parseConfig(), () => {});
process.stdout.write("Database is at the latest migration.\n");
await boot.stop();
