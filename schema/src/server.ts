// Node-only parts of schema (store, migrations, queries, caches): kept apart so the web bundle never imports them.
export * from './store.js';
export * from './dataDisk.js';
export * from './migrate.js';
export * from './secrets.js';
export * from './versions.js';
export * from './dimensionCache.js';
export * from './queries/dimensions.js';
export * from './queries/access.js';
export * from './queries/connectors.js';
export * from './httpErrors.js';
export * from './csvText.js';
export * from './routeTable.js';
