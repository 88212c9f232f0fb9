import { parseArgs, type ParseArgsConfig } from "node:util";

/** The option table parseArgs takes (node:util does not export its name). */
type OptionTable = NonNullable<ParseArgsConfig["options"]>;

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

/** A command that reads input files, computes, and prints JSON or a readable summary. */
export interface FileCommandSpec<Args, Result> {
  name: string;
  summary: string;
  usage: string;
  /** The parsed arguments, or null for --help; throws UsageError for bad ones. */
  parse(argv: string[]): Args | null;
  /** Reads and computes; calls `reading(path)` before each file so that errors name the right one. */
  compute(args: Args, reading: (path: string) => void): Promise<Result>;
  /** The message for a bad-input error this command knows (after the command's name), or null to rethrow. */
  inputError(error: unknown, file: string): string | null;
  format(result: Result, args: Args): string;
}

/**
 * The shared run loop of the file commands: usage on --help, exit 1 with "<name>: <message>" for
 * an unreadable file or bad input (never a stack trace), the formatted result otherwise.
 */
export function fileCommand<Args, Result>(spec: FileCommandSpec<Args, Result>): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    async run(argv, io) {
      const args = spec.parse(argv);
      if (args === null) {
        io.stdout(spec.usage);
        return EXIT_OK;
      }
      let file = "";
      let result: Result;
      try {
        result = await spec.compute(args, (path) => (file = path));
      } catch (error) {
        const message = fileErrorMessage(error, file) ?? spec.inputError(error, file);
        if (message === null) throw error;
        io.stderr(`${spec.name}: ${message}\n`);
        return EXIT_FAILURE;
      }
      io.stdout(spec.format(result, args));
      return EXIT_OK;
    },
  };
}

/**
 * The options of a command's arguments (no positionals, unknown options refused), typed from
 * the option table; a parse error becomes a UsageError.
 */
export function parseOptions<const Options extends OptionTable>(argv: string[], options: Options) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
