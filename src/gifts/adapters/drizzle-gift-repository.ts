import { eq } from 'drizzle-orm'
import type { AuditEntry } from '../../shared/audit.ts'
import { money } from '../../shared/money.ts'
import { auditLog, giftCodes } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { auditRow } from '../../platform/audit-row.ts'
import { GIFT_STATUS_CODE, type Gift, type GiftId } from '../domain/gift.ts'
import type { GiftRepository, NewGift } from '../ports.ts'

type GiftRow = typeof giftCodes.$inferSelect

export const toGift = (r: GiftRow): Gift => ({
  giftId: r.giftId as GiftId,
  status: r.giftStatus === GIFT_STATUS_CODE.used ? 'used' : 'unused',
  value: money(r.giftAmount, r.giftCurrency),
  validFrom: r.giftValidFrom,
  validUntil: r.giftValidUntil,
  usedAt: r.giftUsedDatetime,
  usedSupplierCode: r.usedSupplierCode,
  usedInvoiceNo: r.usedInvoiceNo,
  createdAt: r.createdAt,
})

export class DrizzleGiftRepository implements GiftRepository {
  constructor(private readonly db: Db) {}

  async findById(giftId: GiftId): Promise<Gift | null> {
    const [row] = await this.db.select().from(giftCodes).where(eq(giftCodes.giftId, giftId))
    return row ? toGift(row) : null
  }

  async issue(gifts: readonly NewGift[], audit: AuditEntry): Promise<{ created: Gift[] } | { existing: GiftId[] }> {
    return this.db
      .transaction(async (tx) => {
        const rows = await tx
          .insert(giftCodes)
          .values(
            gifts.map((g) => ({
              giftId: g.giftId,
              giftAmount: g.amount,
              giftCurrency: g.currency,
              giftValidFrom: g.validFrom,
              giftValidUntil: g.validUntil,
            })),
          )
          .onConflictDoNothing()
          .returning()
        if (rows.length !== gifts.length) {
          const created = new Set(rows.map((r) => r.giftId))
          const existing = gifts.map((g) => g.giftId).filter((id) => !created.has(id))
          // Throwing rolls back the rows that did insert, keeping "all or none".
          throw new ExistingGifts(existing)
        }
        await tx.insert(auditLog).values(auditRow(audit))
        return { created: rows.map(toGift) }
      })
      .catch((e: unknown) => {
        if (e instanceof ExistingGifts) return { existing: e.ids }
        throw e
      })
  }
}

class ExistingGifts extends Error {
  constructor(readonly ids: GiftId[]) {
    super('gift ids exist')
  }
}
