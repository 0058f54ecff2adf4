// Runs a command-line entry point: one clear message and a non-zero exit on failure, no stack for user errors.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { ConfigError } from '../config.js';

export class CliError extends Error {}

/** Runs `main` only when the file is the process's entry point (so tests can import its functions). */
export function runCli(moduleUrl: string, main: (args: string[]) => Promise<void>): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      if (e instanceof CliError || e instanceof ConfigError) console.error(`error: ${e.message}`);
      else console.error(e);
      process.exit(1);
    },
  );
}
