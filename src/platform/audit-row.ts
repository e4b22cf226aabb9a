import type { AuditEntry } from '../shared/audit.ts'
import type { auditLog } from '../db/schema.ts'

/** Maps a domain audit entry to its audit_log row; every context's repositories share it. */
export const auditRow = (a: AuditEntry): typeof auditLog.$inferInsert => ({
  actor: a.actor,
  action: a.action,
  entityType: a.entityType,
  entityId: a.entityId,
  requestId: a.requestId,
  data: a.data ?? null,
  createdAt: a.at,
})
