/**
 * Quorum command line: `npm run cli -- <command> [options]` (or `tsx server/cli/main.ts ...`).
 * Dispatches to one module per command; add a command by listing it in COMMANDS.
 * Exit codes: 0 success, 1 failure (unreadable or malformed input), 2 bad arguments.
 */
import { biasCommand } from "./bias-command";
import { clusterCommand } from "./cluster-command";
import { type CliCommand, type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./command";
import { driftCommand } from "./drift-command";
import { importCommand } from "./import-command";
import { rfmCommand } from "./rfm-command";

const COMMANDS: readonly CliCommand[] = [rfmCommand, importCommand, clusterCommand, driftCommand, biasCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Usage: npm run cli -- <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `npm run cli -- <command> --help` for a command's options.",
    "",
  ].join("\n");
}

async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(`error: no command given\n\n${overview()}`);
    return EXIT_USAGE;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(overview());
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`error: unknown command '${name}'\n\n${overview()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    io.stderr(`${command.name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

const io: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

// Exit explicitly (open pools or timers must not keep a finished command alive), but only once
// everything written has been flushed: a pipe to another process is written asynchronously.
const code = await runCli(process.argv.slice(2), io);
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
