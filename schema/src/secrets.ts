// Ingest keys and dashboard tokens (generated with enough entropy, stored only as hashes, compared in constant time),
// and the providers' webhook signing secrets (sealed under the data key, checked by one HMAC verify).
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

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

/**
 * A signing secret a provider gave us (a Shopify app secret, a Stripe `whsec_…`): it must stay usable to compute an
 * HMAC, so it cannot be hashed; it is sealed with AES-256-GCM under the data key, so a copy of the table (a backup,
 * a query log) does not hand out the power to forge orders. Sealed form: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export function sealSecret(dataKey: string, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(dataKey), iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The secret sealed by sealSecret; null when it was sealed under another key or altered. */
export function openSecret(dataKey: string, sealed: string): string | null {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || iv === undefined || tag === undefined || body === undefined) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', sealKey(dataKey), Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

// Its own key derived from the data key, so the sealing key is never the key of the keyed hashes.
const sealKey = (dataKey: string) => createHash('sha256').update(`pulseroom-sealed-secrets\0${dataKey}`).digest();

/**
 * Whether `signature` is the HMAC-SHA256 of `payload` under `secret` (in `encoding`), compared in constant time:
 * the one check every provider's webhook signature goes through.
 */
export function validHmacSha256(
  secret: string,
  payload: string | Buffer,
  signature: string,
  encoding: 'base64' | 'hex',
): boolean {
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(signature, encoding);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The data key: `PULSEROOM_SECRETS_KEY`, or one generated once and kept in the data dir (`secrets.key`, mode 0600).
 * Services that share a data dir share it; services on separate machines must be given the same value.
 */
export function dataKeyOf(config: { PULSEROOM_DATA_DIR: string; PULSEROOM_SECRETS_KEY?: string }): string {
  return config.PULSEROOM_SECRETS_KEY ?? persistedKey(config.PULSEROOM_DATA_DIR, 'secrets.key');
}

/** A random key kept in `<dir>/<file>`, made on first use, so what it keys stays readable across restarts. */
export function persistedKey(dir: string, file: string): string {
  const path = resolve(dir, file);
  if (existsSync(path)) {
    const key = readFileSync(path, 'utf8').trim();
    if (key.length >= 16) return key;
  }
  mkdirSync(resolve(dir), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  try {
    // 'wx': two services starting on one data dir must not each keep a key of their own
    writeFileSync(path, key + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw e;
  }
  return key;
}
