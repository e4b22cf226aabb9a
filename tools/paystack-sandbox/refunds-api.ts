/** POST /refund, GET /refund/:id and GET /refund (docs/protocols/paystack.md). */
import type { SandboxContext } from './context.ts'
import { ApiError, invalid, notFound, ok, transactionNotFound, type Reply } from './errors.ts'
import { parseAmount, type Input } from './params.ts'
import { startRefund } from './refund-lifecycle.ts'
import type { Refund, Transaction } from './store.ts'
import { MERCHANT_EMAIL, refundCreateData, refundData, transactionStatus } from './views.ts'

/** [INFERENCE] when Paystack says the money should reach the customer; only echoed. */
const EXPECTED_AFTER_MS = 7 * 24 * 3600 * 1000

export function createRefund(ctx: SandboxContext, input: Input): Reply {
  const given = input['transaction']
  if ((typeof given !== 'string' && typeof given !== 'number') || String(given).trim() === '') {
    throw invalid('Transaction reference or id is required')
  }
  const tx = findTransaction(ctx, String(given).trim())
  if (!tx) throw transactionNotFound()

  const status = transactionStatus(ctx, tx)
  if (status === 'reversed') throw fullyReversed()
  if (status !== 'success') throw invalid(`Transaction is ${status}; only successful transactions can be refunded`)
  const currency = tx.paidCurrency ?? tx.currency
  if (input['currency'] !== undefined && input['currency'] !== currency) {
    throw invalid(`Currency does not match the transaction currency (${currency})`)
  }

  const left = tx.paidAmount! - ctx.store.committedRefunds(tx.id)
  if (left <= 0) throw fullyReversed()
  let amount = left
  if (input['amount'] !== undefined) {
    const asked = parseAmount(input['amount'])
    if (asked === undefined || asked === 0)
      throw invalid('Invalid Amount Sent', 'Pass amount as a positive integer in the subunit of the currency')
    if (asked > left) throw invalid(`Refund amount cannot be more than the amount left to refund (${left})`)
    amount = asked
  }

  const note = (k: string) => (typeof input[k] === 'string' && input[k] !== '' ? input[k] : undefined)
  const now = ctx.now()
  const refund: Refund = {
    id: ctx.store.nextRefundId(),
    transactionId: tx.id,
    transactionReference: tx.reference,
    amount,
    currency,
    customerNote: note('customer_note') ?? `Refund for transaction ${tx.reference}`,
    merchantNote: note('merchant_note') ?? `Refund for transaction ${tx.reference} by ${MERCHANT_EMAIL}`,
    refundedBy: MERCHANT_EMAIL,
    status: 'pending',
    createdAt: now,
    updatedAt: now,
    expectedAt: now + EXPECTED_AFTER_MS,
  }
  ctx.store.refunds.set(refund.id, refund)
  ctx.log(`refund ${refund.id}: ${amount} ${currency} of ${tx.reference}`)
  const reply = ok('Refund has been queued for processing', refundCreateData(ctx, refund, tx))
  startRefund(ctx, refund)
  return reply
}

export function fetchRefund(ctx: SandboxContext, id: string): Reply {
  const refund = /^\d+$/.test(id) ? ctx.store.refunds.get(Number(id)) : undefined
  if (!refund) throw notFound('Refund not found')
  return ok('Refund retrieved', refundData(ctx, refund))
}

/**
 * Newest first, filtered by `transaction` (id or reference), `currency`, `from`/`to` (creation
 * time), paged by `perPage` (default 50) and `page`.
 */
export function listRefunds(ctx: SandboxContext, query: URLSearchParams): Reply {
  const txParam = query.get('transaction')
  const tx = txParam === null ? undefined : findTransaction(ctx, txParam)
  if (txParam !== null && !tx) return ok('Refunds retrieved', [], { meta: pageMeta(0, 50, 1) })
  const from = dateParam(query, 'from')
  const to = dateParam(query, 'to')
  const currency = query.get('currency')
  const perPage = positiveInt(query.get('perPage'), 50)
  const page = positiveInt(query.get('page'), 1)
  const all = [...ctx.store.refunds.values()]
    .filter((r) => (!tx || r.transactionId === tx.id) && (currency === null || r.currency === currency))
    .filter((r) => (from === undefined || r.createdAt >= from) && (to === undefined || r.createdAt <= to))
    .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
  const slice = all.slice((page - 1) * perPage, page * perPage)
  return ok(
    'Refunds retrieved',
    slice.map((r) => refundData(ctx, r)),
    { meta: pageMeta(all.length, perPage, page) },
  )
}

/** `transaction` may be the numeric id or the reference (which may itself be all digits). */
function findTransaction(ctx: SandboxContext, key: string): Transaction | undefined {
  return (/^\d+$/.test(key) ? ctx.store.byId(Number(key)) : undefined) ?? ctx.store.transactions.get(key)
}

const fullyReversed = () => invalid('Transaction has been fully reversed')

function pageMeta(total: number, perPage: number, page: number) {
  return { total, skipped: (page - 1) * perPage, perPage, page, pageCount: Math.ceil(total / perPage) }
}

function positiveInt(v: string | null, fallback: number): number {
  return v !== null && /^[1-9]\d{0,5}$/.test(v) ? Number(v) : fallback
}

function dateParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name)
  if (v === null) return undefined
  const ms = Date.parse(v)
  if (Number.isNaN(ms)) throw new ApiError(400, `Invalid '${name}' date`, { type: 'validation_error', code: 'invalid_params' })
  return ms
}
