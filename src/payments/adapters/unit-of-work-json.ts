import type { AuditEntry } from '../../shared/audit.ts'
import type { JobMessage } from '../../shared/jobs.ts'
import { auditRecord } from '../../platform/unit-of-work-sql.ts'

/**
 * The jsonb shapes the migration 0010 functions read (payments_write_audits_and_jobs): audit rows
 * and outbox rows of one unit of work, written by the same statement as the change itself.
 */
export const auditsJson = (audits: readonly AuditEntry[]) => audits.map(auditRecord)

export const jobsJson = (jobs: readonly JobMessage[]) =>
  jobs.map((j) => {
    if (!j.deduplicationId) throw new Error(`outbox job ${j.name} needs a deduplication id`)
    return { name: j.name, payload: j.payload ?? null, deduplication_id: j.deduplicationId }
  })
