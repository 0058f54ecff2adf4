// Ingest keys and dashboard tokens: generated with enough entropy, stored only as hashes, compared in constant time.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function newSecret(prefix: 'prk' | 'prt'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** SHA-256 is enough for 192-bit random secrets (no dictionary to guess from). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Keyed hash for personal identifiers (comment authors, visitors): not reversible without the key. */
export function keyedHash(key: string, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url').slice(0, 22);
}
