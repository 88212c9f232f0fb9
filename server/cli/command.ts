/** What every `npm run cli -- <command>` subcommand provides to the dispatcher in main.ts. */

/** Where a command writes; the real process streams, or buffers in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CliCommand {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** Full usage text, ending with a newline. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Bad command-line arguments: the dispatcher prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory, not a file",
  EACCES: "permission denied",
};

/** "cannot read 'x.csv': no such file" for an unreadable input file, or null for other errors. */
export function fileErrorMessage(error: unknown, path: string): string | null {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && code in FILE_ERRORS ? `cannot read '${path}': ${FILE_ERRORS[code]}` : null;
}
