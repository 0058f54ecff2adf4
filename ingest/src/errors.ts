// Errors that become HTTP answers: each carries a status, a stable code and a message a sender can act on.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const unauthorized = (message: string) => new HttpError(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': 'Bearer realm="pulseroom-ingest"' });
export const forbidden = (message: string) => new HttpError(403, 'FORBIDDEN', message);
export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const unavailable = (code: string, message: string, retryAfterS = 5) => new HttpError(503, code, message, { 'Retry-After': String(retryAfterS) });
