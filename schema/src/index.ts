// The single source of truth shared by ingest, server and web: schemas, types, formulas, contracts and the store.
export * from './common.js';
export * from './config.js';
export * from './connectors.js';
export * from './dimensions.js';
export * from './events.js';
export * from './live.js';
export * from './liveBatch.js';
export * from './metrics.js';
export * from './money.js';
export * from './payouts.js';
export * from './rowPatch.js';
export * from './snapshotWire.js';
export * from './tiers.js';
export * from './timeZones.js';
export * from './zodErrors.js';
