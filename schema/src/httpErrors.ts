// The one JSON error envelope every HTTP route and socket acknowledgement answers with, and the one place that writes
// it.
import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { fieldErrors, type FieldError } from './zodErrors.js';

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[] };
}

/** An error that becomes an HTTP answer: a status, a stable code, a message a caller can act on, and its fields. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly fields?: FieldError[],
    /** Fields of the answer beside `error` (a rejected batch's `accepted`, `duplicates`, `rejected`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return {
      ...this.extra,
      error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) },
    };
  }
}

/** The message of anything thrown, for logs and answers. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** 400 naming each field: `events[0].sub: expected an array`. */
export function invalidRequest(
  error: z.ZodError | FieldError | FieldError[],
  code = 'INVALID_REQUEST',
  prefix = '',
): HttpError {
  const fields = error instanceof z.ZodError ? fieldErrors(error, prefix) : Array.isArray(error) ? error : [error];
  return new HttpError(400, code, fields.map((f) => `${f.path}: ${f.message}`).join('; '), {}, fields);
}

/** A request's part (query, body) through its schema; a 400 naming each bad field otherwise. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidRequest(r.error);
  return r.data;
}

export const unauthorized = (message: string, realm = 'pulseroom') =>
  new HttpError(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': `Bearer realm="${realm}"` });
export const forbidden = (message: string, code = 'FORBIDDEN') => new HttpError(403, code, message);
export const notFound = (code: string, message: string) => new HttpError(404, code, message);
export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const conflict = (code: string, message: string, fields?: FieldError[]) =>
  new HttpError(409, code, message, {}, fields);
export const unavailable = (code: string, message: string, retryAfterS = 5) =>
  new HttpError(503, code, message, { 'Retry-After': String(retryAfterS) });
export const methodNotAllowed = (method: string, path: string, allow: readonly string[]) =>
  new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${allow.join(' or ')}`, {
    Allow: allow.join(', '),
  });
export const routeNotFound = (method: string, path: string) =>
  new HttpError(404, 'NOT_FOUND', `no route ${method} ${path}`);

/**
 * Anything thrown while answering, as an HttpError: ours as they are; the body parser's and the router's own client
 * errors (bad JSON, too large, broken percent-encoding) as 4xx; anything else is a bug (500, `internal` says what to
 * tell the caller).
 */
export function toHttpError(err: unknown, internal = 'something went wrong on the server; see its log'): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof z.ZodError) return invalidRequest(err);
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number } | null;
  if (e?.type === 'entity.too.large')
    return new HttpError(
      413,
      'TOO_LARGE',
      `the body may be at most ${e.limit ? sizeOf(e.limit) : 'the limit of this route'}`,
    );
  if (e?.type === 'encoding.not.utf8')
    return new HttpError(400, 'INVALID_UTF8', 'the body is not valid UTF-8: send text as UTF-8');
  if (e?.type === 'entity.parse.failed')
    return new HttpError(400, 'MALFORMED_JSON', `the body is not valid JSON: ${e.message ?? 'could not parse it'}`);
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return new HttpError(415, 'UNSUPPORTED_ENCODING', e.message ?? 'unsupported body encoding');
  if (err instanceof URIError) return malformedUrl();
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // The router's "Failed to decode param" is a broken percent-encoding in the path.
    if (/decode/i.test(e?.message ?? '')) return malformedUrl();
    return new HttpError(status, 'BAD_REQUEST', e?.message ?? 'bad request');
  }
  return new HttpError(500, 'INTERNAL', internal);
}

const malformedUrl = () =>
  new HttpError(
    400,
    'MALFORMED_URL',
    'broken percent-encoding in the URL path or a parameter: a "%" must be followed by two hex digits of UTF-8',
  );
const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${+(bytes / 1024).toFixed(1)} KB`;

/** Writes an error as the JSON envelope (headers, status, body); nothing if the answer has already begun. */
export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  const body = JSON.stringify(err.body());
  res.statusCode = err.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

const BOM = 0xfeff;
// A JSON string (kept as it is, so digits inside one are never touched) or a whole number of 16 digits or more.
const BIG_INTEGER = /("(?:[^"\\]|\\.)*")|(?<![\d.eE+-])(-?\d{16,})(?![.\deE])/g;

/**
 * A JSON body's bytes as a value: UTF-8 only (invalid bytes would be stored as U+FFFD, silently changing what was
 * sent), a leading byte-order mark skipped (RFC 8259 §8.1 lets a parser ignore it), an empty body as `{}`.
 * `bigIntegersAsText`: whole numbers beyond 2^53 (providers' 64-bit ids) are read as their digits, not rounded.
 */
export function parseJsonBytes(buf: Buffer, opts: { bigIntegersAsText?: boolean } = {}): unknown {
  if (buf.length === 0) return {};
  if (!isUtf8(buf)) throw new HttpError(400, 'INVALID_UTF8', 'the body is not valid UTF-8: send text as UTF-8');
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  if (opts.bigIntegersAsText) {
    const quoted = (_m: string, str: string | undefined, big: string) =>
      str ?? (Number.isSafeInteger(Number(big)) ? big : `"${big}"`);
    text = text.replace(BIG_INTEGER, quoted);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'MALFORMED_JSON', `the body is not valid JSON: ${errorMessage(e)}`);
  }
}
