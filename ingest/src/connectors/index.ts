// The connectors as ingest runs them: a runner with each platform's client, pointed at the configured API base URLs.
import type { ConnectorPlatform } from '@pulseroom/schema';
import type { IngestConfig } from '../config.js';
import type { PlatformClient } from './platformClient.js';
import { ConnectorRunner, type ConnectorRunnerDeps } from './runner.js';
import { youtubeClient } from './youtube.js';

export { ConnectorRunner } from './runner.js';

export function platformClients(config: IngestConfig): Partial<Record<ConnectorPlatform, PlatformClient>> {
  return {
    youtube: youtubeClient({ baseUrl: config.YOUTUBE_API_URL, maxCommentPages: config.CONNECTOR_MAX_COMMENT_PAGES }),
  };
}

export function createConnectorRunner(
  config: IngestConfig,
  deps: Omit<ConnectorRunnerDeps, 'config' | 'clients' | 'secretsKey'>,
): ConnectorRunner {
  return new ConnectorRunner({ ...deps, config, clients: platformClients(config), secretsKey: config.secretsKey });
}
