// Turns zod issues into messages that name the exact path, e.g. `events[3].amount: expected a number ≥ 0`.
import { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

/** Renders a zod path as `events[3].amount`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path, prefix),
    message: issue.message,
  }));
}

/** One line per error: `path: message`. */
export function describeZodError(error: z.ZodError, prefix = ''): string {
  return fieldErrors(error, prefix)
    .map((e) => `${e.path}: ${e.message}`)
    .join('\n');
}
