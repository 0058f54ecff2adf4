// Revoked or expired dashboard tokens lose their sockets: at once on this node, within a second when revoked
// elsewhere (another node, the CLI).
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { ENV_ADMIN_TOKEN_ID } from '../access.js';
import { validTokenIds } from '../queries/tokens.js';
import type { LiveServer, LiveSocket } from './types.js';

const CHECK_EVERY_MS = 1_000;

/** The room every socket of a token joins, so one call reaches them all, on every node. */
export const tokenRoom = (tokenId: string) => `tok:${tokenId}`;

export class Revocation {
  private timer: NodeJS.Timeout | null = null;
  private io: LiveServer | null = null;

  constructor(private readonly deps: { client: ClickHouseClient; logger: Logger }) {}

  start(io: LiveServer): void {
    this.io = io;
    this.timer = setInterval(
      () => void this.check().catch((e) => this.deps.logger.warn({ err: e }, 'token revalidation failed')),
      CHECK_EVERY_MS,
    );
    this.timer.unref();
  }

  track(socket: LiveSocket): void {
    void socket.join(tokenRoom(socket.data.scope.token_id));
  }

  /** Disconnects every socket of a token, on every node when the Redis adapter is on. */
  disconnectToken(tokenId: string): void {
    if (!this.io) return;
    this.io
      .to(tokenRoom(tokenId))
      .emit('error', { code: 'TOKEN_REVOKED', message: 'this dashboard token was revoked' });
    this.io.in(tokenRoom(tokenId)).disconnectSockets(true);
  }

  private async check(): Promise<void> {
    if (!this.io) return;
    const ids = new Set<string>();
    for (const s of this.io.of('/').sockets.values())
      if (s.data.scope && s.data.scope.token_id !== ENV_ADMIN_TOKEN_ID) ids.add(s.data.scope.token_id);
    if (ids.size === 0) return;
    const valid = await validTokenIds(this.deps.client, [...ids]);
    for (const id of ids) if (!valid.has(id)) this.disconnectToken(id);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.io = null;
  }
}
