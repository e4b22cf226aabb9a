import { z } from 'zod'

/**
 * The one place that reads the environment. Bindings and vars are validated with zod when the app
 * starts; a missing or malformed value fails loudly with its name (never its value).
 */
const csv = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean))

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
    RESERVATION_TTL_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(900),
    /** Who serialises reservations: a Durable Object per variant (Workers) or Postgres alone. */
    INVENTORY_LOCK: z.enum(['durable-object', 'postgres']).default('postgres'),
    /** Paystack (seed 004): without the secret key the payment routes answer 503 PAYMENTS_NOT_CONFIGURED. */
    PAYSTACK_SECRET_KEY: z.string().min(1).optional(),
    PAYSTACK_API_URL: z.url().default('https://api.paystack.co'),
    /** Where Paystack sends the browser after checkout; defaults to {PUBLIC_BASE_URL}/payments/return. */
    PAYSTACK_CALLBACK_URL: z.url().optional(),
    /** Serves GET /dev/mailbox (the email outbox as a page). Never in production. */
    DEV_MAILBOX: z.enum(['true', 'false']).default('false'),
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
