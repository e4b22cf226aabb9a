import type { Clock } from '../../shared/clock.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { giftErrors, type GiftError } from '../domain/errors.ts'
import type { Gift, GiftId } from '../domain/gift.ts'
import { generateGiftCode } from '../domain/gift-code.ts'
import type { GiftRepository, NewGift } from '../ports.ts'

export interface IssueGiftsCommand {
  /** Either explicit ids (printed elsewhere) or a count of ids to generate. */
  readonly giftIds?: readonly string[]
  readonly count?: number
  readonly prefix: string
  readonly amount: number
  readonly currency: string
  readonly validFrom: Date | null
  readonly validUntil: Date | null
  readonly actor: string
  readonly requestId: string
}

/** Admin bulk issue: all gifts are created in one transaction or none is. */
export async function issueGifts(
  deps: { gifts: GiftRepository; clock: Clock },
  cmd: IssueGiftsCommand,
): Promise<Result<Gift[], GiftError>> {
  const ids = cmd.giftIds ?? Array.from({ length: cmd.count ?? 0 }, () => generateGiftCode(cmd.prefix))
  const gifts: NewGift[] = ids.map((id) => ({
    giftId: id as GiftId,
    amount: cmd.amount,
    currency: cmd.currency,
    validFrom: cmd.validFrom,
    validUntil: cmd.validUntil,
  }))
  const result = await deps.gifts.issue(gifts, {
    actor: cmd.actor,
    action: 'gift.issued',
    entityType: 'gift_batch',
    entityId: ids[0] ?? '',
    requestId: cmd.requestId,
    at: deps.clock.now(),
    data: { count: ids.length, amount: cmd.amount, currency: cmd.currency },
  })
  if ('existing' in result) return err(giftErrors.giftExists(result.existing))
  return ok(result.created)
}
