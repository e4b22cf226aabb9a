import { z } from 'zod'

/**
 * The one place that reads the environment. Bindings and vars are validated with zod when the app
 * starts; a missing or malformed value fails loudly with its name (never its value).
 */
const csv = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )

/**
 * Gift PIN peppers (issue 14): `id:secret[,id:secret...]`, the first one current (new and rewritten
 * PINs), the rest older ones still accepted until every row made with them has been rewritten.
 */
export const giftPinPeppers = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)
      .map((e) => {
        const at = e.indexOf(':')
        return { id: at < 0 ? '' : e.slice(0, at), secret: e.slice(at + 1) }
      }),
  )
  .pipe(
    z
      .array(
        z.object({
          id: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'each entry is id:secret, id of [A-Za-z0-9_.-]'),
          secret: z.string().min(32, 'each secret at least 32 characters'),
        }),
      )
      .min(1),
  )
  .refine((ring) => new Set(ring.map((k) => k.id)).size === ring.length, 'pepper ids must be unique')

export const ConfigSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
    UPSTASH_REDIS_REST_URL: z.url(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
    QSTASH_URL: z.url().default('https://qstash.upstash.io'),
    QSTASH_TOKEN: z.string().min(1),
    QSTASH_CURRENT_SIGNING_KEY: z.string().min(1),
    QSTASH_NEXT_SIGNING_KEY: z.string().min(1),
    /** Public base URL of this service: QStash delivers jobs here and gateways call back here. */
    PUBLIC_BASE_URL: z.url(),
    AUTH_ISSUER: z.string().min(1),
    AUTH_AUDIENCE: z.string().min(1),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_HS256_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    CORS_ALLOWED_ORIGINS: csv,
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** How long an order's reservation holds stock (seed 004: 15 minutes). */
    RESERVATION_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(24 * 3600)
      .default(900),
    /** Who serialises reservations: a Durable Object per variant (Workers) or Postgres alone. */
    INVENTORY_LOCK: z.enum(['durable-object', 'postgres']).default('postgres'),
    /**
     * Where variant objects are created (a Durable Object location hint): near the database, since
     * every batch writes to it. Empty or unset: near the first caller (README "Placement").
     */
    INVENTORY_DO_LOCATION_HINT: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me']).optional(),
    ),
    /** Paystack (seed 004): without the secret key the payment routes answer 503 PAYMENTS_NOT_CONFIGURED. */
    PAYSTACK_SECRET_KEY: z.string().min(1).optional(),
    PAYSTACK_API_URL: z.url().default('https://api.paystack.co'),
    /** Per-call timeout; a call past it is an unknown outcome (503, retried with the same identifiers). */
    PAYSTACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Where Paystack sends the browser after checkout; defaults to {PUBLIC_BASE_URL}/payments/return. */
    PAYSTACK_CALLBACK_URL: z.url().optional(),
    /** Serves GET /dev/mailbox (the email outbox as a page). Never in production. */
    DEV_MAILBOX: z.enum(['true', 'false']).default('false'),
    /** PayPay OPA (seeds 000/001): without key, secret and merchant id its routes answer 503 PAYPAY_NOT_CONFIGURED. */
    PAYPAY_API_URL: z.url().default('https://stg-api.sandbox.paypay.ne.jp'),
    PAYPAY_API_KEY: z.string().min(1).optional(),
    /** As issued: base64 (the responseToken JWT is keyed by its decoded bytes). */
    PAYPAY_API_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
      .optional(),
    PAYPAY_MERCHANT_ID: z.string().min(1).optional(),
    /** Most PayPay calls per second, all instances together (PayPay's sandbox rate-limits at 4 TPS). */
    PAYPAY_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(3),
    /** Per-call timeout (PayPay's SDKs: 30 s for Give/Reverse). */
    PAYPAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(30_000),
    /** Where PayPay returns the browser after consent; defaults to {PUBLIC_BASE_URL}/api/v1/paypay/sessions/callback. */
    PAYPAY_LINK_REDIRECT_URL: z.url().optional(),
    /** Front-end page the browser lands on after that callback (e.g. the exchange page); unset = a JSON answer. */
    PAYPAY_LINK_RETURN_URL: z.url().optional(),
    /** ZaloPay (seed 003): without app id and both keys, paying with ZaloPay answers 503 GATEWAY_NOT_CONFIGURED. */
    ZALOPAY_APP_ID: z.coerce.number().int().positive().optional(),
    ZALOPAY_KEY1: z.string().min(1).optional(),
    ZALOPAY_KEY2: z.string().min(1).optional(),
    ZALOPAY_API_URL: z.url().default('https://sb-openapi.zalopay.vn'),
    /** The front end: after paying, users land on `{FRONTEND_BASE_URL}/dashboard/payment/zalopay/{sessionId}`. */
    FRONTEND_BASE_URL: z.url().default('http://localhost:3000'),
    /** Secret. Without it redemptions and new supplier accounts answer 503 GIFT_PIN_PEPPER_MISSING. */
    GIFT_PIN_PEPPER: giftPinPeppers.optional(),
  })
  .refine((c) => c.AUTH_JWKS_URL !== undefined || c.AUTH_HS256_SECRET !== undefined, {
    message: 'set AUTH_JWKS_URL (identity provider) or AUTH_HS256_SECRET (local tokens)',
    path: ['AUTH_HS256_SECRET'],
  })

export type Config = z.infer<typeof ConfigSchema>

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`)
    this.name = 'ConfigError'
  }
}

/** Reads strings only; empty strings count as missing so an unset secret is reported as such. */
export function loadConfig(source: Record<string, unknown>): Config {
  const input: Record<string, string> = {}
  for (const [k, v] of Object.entries(source)) if (typeof v === 'string' && v !== '') input[k] = v
  const parsed = ConfigSchema.safeParse(input)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code === 'invalid_type' ? 'missing' : i.message}`),
    )
  }
  return parsed.data
}
