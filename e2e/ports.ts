// Shared by the end-to-end tests: the repository root and a free loopback port for a product process.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from '@pulseroom/schema/testing';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
