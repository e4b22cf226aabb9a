/** POST /transaction/initialize and GET /transaction/verify/:reference (docs/protocols/paystack.md). */
import type { SandboxContext } from './context.ts'
import { duplicateReference, invalid, ok, transactionNotFound, type Reply } from './errors.ts'
import { isHttpUrl, isObject, parseAmount, type Input } from './params.ts'
import { randomCode, type Transaction } from './store.ts'
import { transactionData } from './views.ts'

export const CURRENCIES: readonly string[] = ['NGN', 'GHS', 'KES', 'ZAR', 'USD']
export const CHANNELS: readonly string[] = ['card', 'bank', 'ussd', 'qr', 'eft', 'mobile_money', 'bank_transfer']
/** "The maximum limit which is 10,000,000 (for all supported currencies)", in subunits. */
const MAX_AMOUNT = 10_000_000 * 100
const REFERENCE = /^[A-Za-z0-9.=-]+$/
/** Deliberately loose: one @, no spaces. Stricter rules would be guesses about Paystack's. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function initialize(ctx: SandboxContext, input: Input): Reply {
  const email = typeof input['email'] === 'string' ? input['email'].trim() : ''
  if (email === '') throw invalid('Email is not allowed to be empty', 'Pass the email to the transaction initialize API')
  if (!EMAIL.test(email)) throw invalid('Invalid Email Address Passed', 'Ensure that the email follows the format: "username@example.com"')

  const amount = parseAmount(input['amount'])
  if (amount === undefined)
    throw invalid('Invalid Amount Sent', 'Pass amount as a positive integer in the subunit of the currency (e.g. kobo)')
  if (amount === 0) throw invalid('You must specify a valid amount', 'Ensure the amount is an integer greater than 0')
  if (amount > MAX_AMOUNT) throw invalid('Transaction amount limit exceeded')

  const currency = input['currency'] ?? 'NGN'
  if (typeof currency !== 'string' || !CURRENCIES.includes(currency)) throw invalid('Currency not supported by merchant')

  const given = input['reference']
  let reference: string
  if (given === undefined || given === null || given === '') {
    do {
      reference = randomCode(10)
    } while (ctx.store.transactions.has(reference))
  } else {
    reference = String(given)
    if ((typeof given !== 'string' && typeof given !== 'number') || !REFERENCE.test(reference)) {
      throw invalid('Invalid character in transaction reference', 'Only -, ., = and alphanumeric characters are allowed')
    }
    if (ctx.store.transactions.has(reference)) throw duplicateReference()
  }

  const callbackUrl = input['callback_url']
  if (callbackUrl !== undefined && (typeof callbackUrl !== 'string' || !isHttpUrl(callbackUrl))) {
    throw invalid('callback_url must be an http(s) URL')
  }
  const metadata = readMetadata(input['metadata'])
  const channels = readChannels(input['channels'])

  const accessCode = randomCode(15)
  const tx: Transaction = {
    id: ctx.store.nextTransactionId(),
    reference,
    accessCode,
    email,
    amount,
    currency,
    ...(callbackUrl !== undefined && { callbackUrl }),
    metadata,
    channels,
    createdAt: ctx.now(),
    status: 'abandoned',
    ipAddress: null,
    customer: ctx.store.customerFor(email),
  }
  ctx.store.addTransaction(tx)
  const authorizationUrl = `${ctx.publicUrl}/checkout/${accessCode}`
  ctx.log(`initialize ${reference} ${amount} ${currency} → ${authorizationUrl}`)
  return ok('Authorization URL created', { authorization_url: authorizationUrl, access_code: accessCode, reference })
}

export function verify(ctx: SandboxContext, reference: string): Reply {
  const tx = ctx.store.transactions.get(reference)
  if (!tx) throw transactionNotFound()
  return ok('Verification successful', transactionData(ctx, tx))
}

/**
 * An object is kept; a string holding a JSON object is stored parsed (verify returns an object);
 * any other string is kept as the string. Absent metadata reads as "" in verify.
 */
function readMetadata(v: unknown): unknown {
  if (v === undefined || v === null) return ''
  if (isObject(v)) return v
  if (typeof v !== 'string') throw invalid('metadata must be a JSON object or a JSON string')
  try {
    const parsed: unknown = JSON.parse(v)
    return isObject(parsed) ? parsed : v
  } catch {
    return v
  }
}

function readChannels(v: unknown): string[] {
  if (v === undefined) return [...CHANNELS]
  const list = typeof v === 'string' ? [v] : v
  if (!Array.isArray(list) || !list.every((c): c is string => typeof c === 'string' && CHANNELS.includes(c))) {
    throw invalid(`channels must be an array of: ${CHANNELS.join(', ')}`)
  }
  return list.length === 0 ? [...CHANNELS] : list
}
