import { inArray } from 'drizzle-orm'
import { auditLog, reconciliationAcknowledgements as acks } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { Acknowledgement } from '../domain/acknowledgement.ts'
import type { Mismatch } from '../domain/mismatch.ts'
import type { AcknowledgementStore } from '../ports.ts'

const toAck = (r: typeof acks.$inferSelect): Acknowledgement => ({
  fingerprint: r.fingerprint,
  kind: r.kind as Mismatch['kind'],
  note: r.note,
  acknowledgedBy: r.acknowledgedBy,
  acknowledgedAt: r.acknowledgedAt,
})

export class DrizzleAcknowledgementStore implements AcknowledgementStore {
  constructor(private readonly db: Db) {}

  async find(fingerprints: readonly string[]): Promise<Acknowledgement[]> {
    if (fingerprints.length === 0) return []
    const rows = await this.db
      .select()
      .from(acks)
      .where(inArray(acks.fingerprint, [...fingerprints]))
    return rows.map(toAck)
  }

  async add(ack: Acknowledgement, audit: AuditEntry) {
    return this.db.transaction(async (tx) => {
      const [inserted] = await tx.insert(acks).values(ack).onConflictDoNothing().returning()
      if (inserted) {
        await tx.insert(auditLog).values(auditRow(audit))
        return { created: true, acknowledgement: toAck(inserted) }
      }
      const [existing] = await tx
        .select()
        .from(acks)
        .where(inArray(acks.fingerprint, [ack.fingerprint]))
      return { created: false, acknowledgement: toAck(existing!) }
    })
  }
}
