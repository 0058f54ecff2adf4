// Named queries of the admin audit log: who (which admin token, by its label) changed what, and when.
import type { ClickHouseClient } from '@clickhouse/client';
import { nextVersion } from '@pulseroom/schema/server';

export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'revoke', 'import'] as const;
export const AUDIT_KINDS = ['campaign', 'partner', 'deal', 'source', 'token', 'alert_channel', 'payout'] as const;

export interface AuditEntry {
  id: string;
  at: number;
  token_id: string;
  token_label: string;
  action: (typeof AUDIT_ACTIONS)[number];
  kind: (typeof AUDIT_KINDS)[number];
  target_id: string;
  /** What was written (a document, a token's role and scope), as JSON; never a secret. */
  detail: string;
}

/** Appends an entry; its id orders entries of one millisecond as they were made (a monotonic version, zero-padded). */
export async function appendAudit(client: ClickHouseClient, e: Omit<AuditEntry, 'id'>): Promise<void> {
  await client.insert({
    table: 'audit_log',
    format: 'JSONEachRow',
    values: [{ ...e, id: `aud_${String(nextVersion(e.at)).padStart(19, '0')}` }],
  });
}

/** Newest first, `limit` entries before `beforeMs` (a page's last `at`), optionally of one kind or target. */
export async function auditEntries(
  client: ClickHouseClient,
  q: { limit: number; beforeMs?: number; kind?: string; targetId?: string },
): Promise<AuditEntry[]> {
  const rs = await client.query({
    query: `SELECT id, toInt64(toUnixTimestamp64Milli(at)) AS at_ms, token_id, token_label, action, kind, target_id, detail
      FROM audit_log
      WHERE at < fromUnixTimestamp64Milli({before:Int64}, 'UTC') AND ({kind:String} = '' OR kind = {kind:String})
        AND ({target:String} = '' OR target_id = {target:String})
      ORDER BY at DESC, id DESC LIMIT {limit:UInt32}`,
    query_params: {
      before: q.beforeMs ?? 4_102_444_800_000,
      kind: q.kind ?? '',
      target: q.targetId ?? '',
      limit: q.limit,
    },
    format: 'JSONEachRow',
  });
  return (await rs.json<Omit<AuditEntry, 'at'> & { at_ms: number | string }>()).map(({ at_ms, ...r }) => ({
    ...r,
    at: Number(at_ms),
  }));
}
