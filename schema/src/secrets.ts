// Ingest keys and dashboard tokens: generated with enough entropy, stored only as hashes, compared in constant time.
import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

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
  return createHmac('sha256', hmacKey(key)).update(value).digest('base64url').slice(0, 22);
}

/** The key as a KeyObject, made once: an HMAC from a KeyObject skips re-importing the key string on every hash. */
const hmacKeys = new Map<string, KeyObject>();
function hmacKey(key: string): KeyObject {
  let k = hmacKeys.get(key);
  if (!k) {
    if (hmacKeys.size >= 16) hmacKeys.clear(); // a process uses one key (two in tests)
    k = createSecretKey(Buffer.from(key, 'utf8'));
    hmacKeys.set(key, k);
  }
  return k;
}
