// `npm run start:server`: the live server alone (API, Socket.IO, health, metrics; the web app when PULSEROOM_WEB_DIR is
// set) on PORT.
import { createServer } from 'node:http';
import pino from 'pino';
import { newSecret, applyMigrations, openStore, storeDiskWarning, DimensionCache } from '@pulseroom/schema/server';
import { ConfigError } from '@pulseroom/schema';
import { createLiveServer } from './index.js';
import { loadServerConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadServerConfig();
  const logger = pino({ level: config.LOG_LEVEL });
  if (!config.PULSEROOM_ADMIN_TOKEN) {
    config.PULSEROOM_ADMIN_TOKEN = newSecret('prt');
    logger.warn(`PULSEROOM_ADMIN_TOKEN is not set; an admin token for this run only: ${config.PULSEROOM_ADMIN_TOKEN}`);
  }
  const diskWarning = storeDiskWarning(config);
  if (diskWarning) logger.warn(diskWarning);
  const store = await openStore(config);
  await applyMigrations(store.client);
  const dims = await DimensionCache.open(store.client, config.PULSEROOM_DIMENSIONS_REFRESH_MS);
  const live = await createLiveServer({ store, dims, config, logger });
  const http = createServer(live.app);
  live.attach(http);
  await live.start();
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(config.PORT, resolve));
  logger.info({ port: config.PORT, store: store.mode }, `live server on http://localhost:${config.PORT}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    dims.stopRefresh();
    await live.stop(); // closes Socket.IO and the HTTP server
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) console.error(`error: ${e.message}`);
  else if ((e as NodeJS.ErrnoException)?.code === 'EADDRINUSE')
    console.error(`error: port already in use; set PORT to a free port`);
  else console.error(e);
  process.exit(1);
});
