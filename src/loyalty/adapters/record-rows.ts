import { paypayCashbackReversals, paypayCashbacks } from '../../db/schema.ts'
import type { Cashback, CashbackStatus, MerchantCashbackId } from '../domain/cashback.ts'
import type { MerchantCashbackReversalId, Reversal, ReversalStatus } from '../domain/reversal.ts'
import { fromJson } from './sql-units.ts'

/** Cashback and reversal rows to domain records, from a drizzle select or a `row_to_json` column. */

type Json = Record<string, unknown>

export const toCashback = (r: typeof paypayCashbacks.$inferSelect): Cashback => ({
  merchantCashbackId: r.merchantCashbackId as MerchantCashbackId,
  userId: r.userId,
  userAuthorizationId: r.userAuthorizationId,
  points: r.points,
  amount: r.amount,
  currency: 'JPY',
  status: r.status as CashbackStatus,
  giveAttempts: r.giveAttempts,
  lastError: r.lastError,
  failureCode: r.failureCode,
  paypayCashbackId: r.paypayCashbackId,
  reversalReserved: r.reversalReserved,
  reversedAmount: r.reversedAmount,
  requestedAt: r.requestedAt,
  acceptedAt: r.acceptedAt,
  completedAt: r.completedAt,
  updatedAt: r.updatedAt,
})

export const cashbackFromJson = (json: Json | null): Cashback | null => (json ? toCashback(fromJson(paypayCashbacks, json)) : null)

export const toReversal = (r: typeof paypayCashbackReversals.$inferSelect): Reversal => ({
  merchantCashbackReversalId: r.merchantCashbackReversalId as MerchantCashbackReversalId,
  merchantCashbackId: r.merchantCashbackId as MerchantCashbackId,
  userId: r.userId,
  amount: r.amount,
  reversedAmount: r.reversedAmount,
  status: r.status as ReversalStatus,
  reason: r.reason,
  attempts: r.attempts,
  lastError: r.lastError,
  failureCode: r.failureCode,
  paypayReversalId: r.paypayReversalId,
  requestedBy: r.requestedBy,
  requestedAt: r.requestedAt,
  acceptedAt: r.acceptedAt,
  completedAt: r.completedAt,
  updatedAt: r.updatedAt,
})

export const reversalFromJson = (json: Json): Reversal => toReversal(fromJson(paypayCashbackReversals, json))
