/**
 * An audit entry says who did what to which record, when, and from which request. Contexts hand
 * these to their repositories so the row is written in the same transaction as the change itself.
 */
export interface AuditEntry {
  readonly actor: string
  readonly action: string
  readonly entityType: string
  readonly entityId: string
  readonly requestId: string
  readonly at: Date
  readonly data?: Record<string, unknown>
}
