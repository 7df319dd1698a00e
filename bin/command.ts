/** The shape every CLI command has, so `cli.ts` can list, describe and dispatch them. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  /** Returns the exit code: 0 ok, 1 runtime error, 2 usage error. */
  run(argv: readonly string[]): Promise<number>;
}

/** A usage mistake: printed with the command's help hint and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;
