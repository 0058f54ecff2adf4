// The connectors as ingest runs them: a runner with each platform's client, pointed at the configured API base URLs.
import type { ConnectorPlatform } from '@pulseroom/schema';
import type { IngestConfig } from '../config.js';
import type { PlatformClient } from './platformClient.js';
import { ConnectorRunner, type ConnectorRunnerDeps } from './runner.js';
import { instagramClient } from './instagram.js';
import { tiktokClient } from './tiktok.js';
import { youtubeClient } from './youtube.js';

export { ConnectorRunner } from './runner.js';

export function platformClients(config: IngestConfig): Record<ConnectorPlatform, PlatformClient> {
  const maxCommentPages = config.CONNECTOR_MAX_COMMENT_PAGES;
  return {
    youtube: youtubeClient({ baseUrl: config.YOUTUBE_API_URL, maxCommentPages }),
    instagram: instagramClient({ baseUrl: config.INSTAGRAM_API_URL, maxCommentPages }),
    tiktok: tiktokClient({ baseUrl: config.TIKTOK_API_URL }),
  };
}

export function createConnectorRunner(
  config: IngestConfig,
  deps: Omit<ConnectorRunnerDeps, 'config' | 'clients' | 'secretsKey'>,
): ConnectorRunner {
  return new ConnectorRunner({ ...deps, config, clients: platformClients(config), secretsKey: config.secretsKey });
}
