/**
 * An audit entry says who did what to which record, when, and from which request. Contexts hand
 * these to their repositories so the row is written by the same statement as the change itself.
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

/** Builds the audit entries of one unit of work: the same actor, request and time for each. */
export const auditEntries =
  (ctx: { readonly actor: string; readonly requestId: string; readonly now: Date }) =>
  (action: string, entityType: string, entityId: string, data: Record<string, unknown>): AuditEntry => ({
    actor: ctx.actor,
    requestId: ctx.requestId,
    at: ctx.now,
    action,
    entityType,
    entityId,
    data,
  })
