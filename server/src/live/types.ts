// The typed Socket.IO server and socket of the live hub, and the one way an error becomes an acknowledgement.
import type { Server, Socket } from 'socket.io';
import type { Ack, ClientToServerEvents, DashboardScope, ServerToClientEvents } from '@pulseroom/schema';
import { toHttpError } from '@pulseroom/schema/server';

export type { Ack } from '@pulseroom/schema';

export interface SocketData {
  scope: DashboardScope;
  /** campaign id → room name */
  subs: Map<string, string>;
  /** campaign id → the alert rooms joined for it */
  alertRooms: Map<string, string[]>;
}

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const errorOf = (e: unknown): { code: string; message: string } =>
  toHttpError(e, 'something went wrong; try again').body().error;

/** An acknowledgement that answers with the error instead of throwing. */
export const failed = (e: unknown): Ack => ({ ok: false, error: errorOf(e) });
