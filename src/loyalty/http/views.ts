import { z } from 'zod'
import { CASHBACK_STATUSES, type Cashback } from '../domain/cashback.ts'
import { HISTORY_SOURCES, type HistoryFile, type HistoryRow, type MatchedRow } from '../domain/history.ts'
import { LEDGER_KINDS, type LedgerEntry } from '../domain/ledger.ts'
import { effectiveLinkStatus, type PayPayLink } from '../domain/link.ts'
import { REVERSAL_STATUSES, type Reversal } from '../domain/reversal.ts'

/** What the loyalty routes answer: each view's schema (the document) next to its mapping from the domain. */

const iso = (d: Date | null) => d?.toISOString() ?? null

export const EntryView = z.object({
  id: z.string(),
  kind: z.enum(LEDGER_KINDS),
  points: z.number().int().describe('signed: credits positive, debits negative'),
  balance_after: z.number().int(),
  reference_type: z.string().nullable(),
  reference_id: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.string(),
})
export const entryView = (e: LedgerEntry): z.infer<typeof EntryView> => ({
  id: e.id,
  kind: e.kind,
  points: e.points,
  balance_after: e.balanceAfter,
  reference_type: e.referenceType,
  reference_id: e.referenceId,
  reason: e.reason,
  created_at: e.at.toISOString(),
})

export const CashbackView = z.object({
  merchant_cashback_id: z.string(),
  user_id: z.string(),
  points: z.number().int(),
  amount: z.number().int().describe('JPY'),
  currency: z.literal('JPY'),
  status: z.enum(CASHBACK_STATUSES),
  failure_code: z.string().nullable(),
  reversed_amount: z.number().int(),
  requested_at: z.string(),
  accepted_at: z.string().nullable(),
  completed_at: z.string().nullable(),
})
export const cashbackView = (c: Cashback): z.infer<typeof CashbackView> => ({
  merchant_cashback_id: c.merchantCashbackId,
  user_id: c.userId,
  points: c.points,
  amount: c.amount,
  currency: c.currency,
  status: c.status,
  failure_code: c.failureCode,
  reversed_amount: c.reversedAmount,
  requested_at: c.requestedAt.toISOString(),
  accepted_at: iso(c.acceptedAt),
  completed_at: iso(c.completedAt),
})
export const AdminCashbackView = CashbackView.extend({
  give_attempts: z.number().int(),
  last_error: z.string().nullable(),
  reversal_reserved: z.number().int(),
  paypay_cashback_id: z.string().nullable(),
})
export const adminCashbackView = (c: Cashback): z.infer<typeof AdminCashbackView> => ({
  ...cashbackView(c),
  give_attempts: c.giveAttempts,
  last_error: c.lastError,
  reversal_reserved: c.reversalReserved,
  paypay_cashback_id: c.paypayCashbackId,
})

export const ReversalView = z.object({
  merchant_cashback_reversal_id: z.string(),
  merchant_cashback_id: z.string(),
  user_id: z.string(),
  amount: z.number().int(),
  reversed_amount: z.number().int().nullable(),
  status: z.enum(REVERSAL_STATUSES),
  reason: z.string().nullable(),
  failure_code: z.string().nullable(),
  last_error: z.string().nullable(),
  requested_by: z.string(),
  requested_at: z.string(),
  accepted_at: z.string().nullable(),
  completed_at: z.string().nullable(),
})
export const reversalView = (r: Reversal): z.infer<typeof ReversalView> => ({
  merchant_cashback_reversal_id: r.merchantCashbackReversalId,
  merchant_cashback_id: r.merchantCashbackId,
  user_id: r.userId,
  amount: r.amount,
  reversed_amount: r.reversedAmount,
  status: r.status,
  reason: r.reason,
  failure_code: r.failureCode,
  last_error: r.lastError,
  requested_by: r.requestedBy,
  requested_at: r.requestedAt.toISOString(),
  accepted_at: iso(r.acceptedAt),
  completed_at: iso(r.completedAt),
})

export const LinkView = z.object({
  status: z.enum(['none', 'linked', 'unlinked', 'expired', 'revoked']),
  profile_identifier: z.string().nullable(),
  expires_at: z.string().nullable(),
  linked_at: z.string().nullable(),
})
export const linkView = (link: PayPayLink | null, now: Date): z.infer<typeof LinkView> => ({
  status: link ? effectiveLinkStatus(link, now) : 'none',
  profile_identifier: link?.profileIdentifier ?? null,
  expires_at: iso(link?.expiresAt ?? null),
  linked_at: iso(link?.linkedAt ?? null),
})

export const FileView = z.object({
  file_id: z.string(),
  source: z.enum(HISTORY_SOURCES),
  business_date: z.string(),
  object_key: z.string(),
  row_count: z.number().int(),
  sha256: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
})
export const fileView = (f: HistoryFile): z.infer<typeof FileView> => ({
  file_id: f.id,
  source: f.source,
  business_date: f.businessDate,
  object_key: f.objectKey,
  row_count: f.rowCount,
  sha256: f.sha256,
  created_by: f.createdBy,
  created_at: f.createdAt.toISOString(),
  updated_at: f.updatedAt.toISOString(),
})
export const RowView = z.object({
  transaction_type: z.enum(['cashback', 'reversal']),
  merchant_cashback_id: z.string(),
  merchant_cashback_reversal_id: z.string().nullable(),
  user_id: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string(),
  requested_at: z.string().nullable(),
  completed_at: z.string().nullable(),
})
export const rowView = (r: HistoryRow): z.infer<typeof RowView> => ({
  transaction_type: r.transactionType,
  merchant_cashback_id: r.merchantCashbackId,
  merchant_cashback_reversal_id: r.merchantCashbackReversalId,
  user_id: r.userId,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  requested_at: r.requestedAt,
  completed_at: r.completedAt,
})
export const MatchView = z.object({
  key: z.string(),
  transaction_type: z.enum(['cashback', 'reversal']),
  merchant_cashback_id: z.string(),
  merchant_cashback_reversal_id: z.string().nullable(),
  ours: RowView.nullable(),
  paypay: RowView.nullable(),
  problems: z.array(z.enum(['missing_in_ours', 'missing_in_paypay', 'amount_mismatch', 'status_mismatch'])),
})
export const matchView = (m: MatchedRow): z.infer<typeof MatchView> => ({
  key: m.key,
  transaction_type: m.transactionType,
  merchant_cashback_id: m.merchantCashbackId,
  merchant_cashback_reversal_id: m.merchantCashbackReversalId,
  ours: m.ours ? rowView(m.ours) : null,
  paypay: m.paypay ? rowView(m.paypay) : null,
  problems: [...m.problems],
})

export const PointsResponse = z.object({ balance: z.number().int(), entries: z.array(EntryView), next_before: z.string().nullable() })
export const ExchangeResponse = z.object({ cashback: CashbackView, replayed: z.boolean() })
export const LinkResponse = z.object({ link: LinkView })
export const FileResponse = z.object({ file: FileView })
