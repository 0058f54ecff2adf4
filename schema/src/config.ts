// Reads a service's configuration from the environment once, through zod, with errors naming the variable.
import { z } from 'zod';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/**
 * Parses `env` with an object schema whose keys are variable names. A bad value throws one
 * ConfigError listing each variable, what it expects and what it got.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const result = schema.safeParse(picked);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '(config)');
    const got = picked[name];
    return `${name}: ${i.message}${got === undefined ? '' : ` (got "${got.length > 60 ? got.slice(0, 60) + '…' : got}")`}`;
  });
  throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
}

export const envPort = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a port number 1–65535' })
    .int('expected a port number 1–65535')
    .min(1, 'expected a port number 1–65535')
    .max(65535, 'expected a port number 1–65535')
    .default(fallback);

export const envInt = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: `expected a whole number ${min}–${max}` })
    .int(`expected a whole number ${min}–${max}`)
    .min(min, `expected a whole number ≥ ${min}`)
    .max(max, `expected a whole number ≤ ${max}`)
    .default(fallback);

export const envNumber = (fallback: number, min = 0, max = Number.MAX_VALUE) =>
  z.coerce
    .number({ error: `expected a number ${min}–${max}` })
    .min(min, `expected a number ≥ ${min}`)
    .max(max, `expected a number ≤ ${max}`)
    .default(fallback);

export const envBool = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === '1' || v === 'true' || v === 'yes'));

export const envJson = <T extends z.ZodType>(inner: T, fallback: z.infer<T>) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(inner)
    // prefault: the fallback goes through the parse like a value from the environment would.
    .prefault(JSON.stringify(fallback) as never);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The store settings every service shares. */
export const storeEnv = {
  PULSEROOM_DATA_DIR: z.string().min(1).default('./data'),
  /** Seals the providers' webhook signing secrets in the store; generated and kept in the data dir when unset. */
  PULSEROOM_SECRETS_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  CLICKHOUSE_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://localhost:8123' })
    .optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a database name of letters, digits and "_"')
    .default('pulseroom'),
};
export const storeConfig = z.object(storeEnv);
export type StoreConfig = z.infer<typeof storeConfig>;
