/**
 * Fixed settings of the test stack, shared by vitest.config.ts (which must know the Worker's
 * bindings before anything starts) and the global setup that starts the dev servers. Ports differ
 * from `npm run dev`'s so tests can run while a dev stack is up. TEST_PG_URL and TEST_DB_PREFIX
 * let CI point at another server or use its own throwaway database names.
 */
const pg = (process.env['TEST_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432').replace(/\/$/, '')
const prefix = process.env['TEST_DB_PREFIX'] ?? 'edge_payments_test'
// Two test runs on one machine (CI next to a developer, parallel agents) need distinct ports too.
const portOffset = Number(process.env['TEST_PORT_OFFSET'] ?? 0)

export const TEST_ENV = {
  redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  upstashPort: 18079 + portOffset,
  qstashPort: 18080 + portOffset,
  paystackPort: 18093 + portOffset,
  paystackSecretKey: 'sk_test_integration_secret',
  zalopayPort: 18091 + portOffset,
  zalopayAppId: 2553,
  zalopayKey1: 'zalopay-test-key1',
  zalopayKey2: 'zalopay-test-key2',
  paypayPort: 18092 + portOffset,
  /** Latency proxies of the budgets tier (tools/latency-proxy): Postgres, Upstash REST, control. */
  pgProxyPort: 18094 + portOffset,
  upstashProxyPort: 18095 + portOffset,
  proxyControlPort: 18096 + portOffset,
  paypayApiKey: 'paypay-test-api-key',
  /** Base64, as PayPay issues it (the responseToken JWT is keyed by the decoded bytes). */
  paypayApiSecret: 'cGF5cGF5LXRlc3Qtc2VjcmV0LWZvci1pbnRlZ3JhdGlvbg==',
  paypayMerchantId: 'paypay-test-merchant',
  upstashToken: 'test-upstash-token',
  qstashToken: 'test-qstash-token',
  qstashCurrentSigningKey: 'sig_test_current',
  qstashNextSigningKey: 'sig_test_next',
  hs256Secret: 'test-only-hs256-secret-0123456789abcdef',
  issuer: 'edge-payments-test',
  audience: 'edge-payments',
  integrationDatabaseUrl: `${pg}/${prefix}_it`,
  e2eDatabaseUrl: `${pg}/${prefix}_e2e`,
  /** The integration database, reached through the counting proxy (Hyperdrive's local mode needs a password). */
  get budgetsDatabaseUrl(): string {
    const u = new URL(this.integrationDatabaseUrl)
    u.hostname = '127.0.0.1'
    u.port = String(this.pgProxyPort)
    if (!u.password) u.password = 'postgres'
    return u.toString()
  },
  /** The Worker's bindings in the budgets tier: Redis calls go through the counting proxy. */
  get budgetsWorkerBindings(): Record<string, string> {
    return {
      ...this.workerBindings,
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${this.upstashProxyPort}`,
      PROXY_CONTROL_URL: `http://127.0.0.1:${this.proxyControlPort}`,
    }
  },
  get workerBindings(): Record<string, string> {
    return {
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${this.upstashPort}`,
      UPSTASH_REDIS_REST_TOKEN: this.upstashToken,
      QSTASH_URL: `http://127.0.0.1:${this.qstashPort}`,
      QSTASH_TOKEN: this.qstashToken,
      QSTASH_CURRENT_SIGNING_KEY: this.qstashCurrentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: this.qstashNextSigningKey,
      PUBLIC_BASE_URL: 'http://127.0.0.1:8787',
      AUTH_ISSUER: this.issuer,
      AUTH_AUDIENCE: this.audience,
      AUTH_HS256_SECRET: this.hs256Secret,
      LOG_LEVEL: 'warn',
      CORS_ALLOWED_ORIGINS: 'http://allowed-frontend.test, http://second-frontend.test',
      PAYSTACK_SECRET_KEY: this.paystackSecretKey,
      PAYSTACK_API_URL: `http://127.0.0.1:${this.paystackPort}`,
      // Half the production 10 s, like PAYPAY_TIMEOUT_MS: the timeout fault tests wait it out; a
      // local sandbox call takes milliseconds even under a full run, so nothing else comes near it.
      PAYSTACK_TIMEOUT_MS: '5000',
      DEV_MAILBOX: 'true',
      ZALOPAY_APP_ID: String(this.zalopayAppId),
      ZALOPAY_KEY1: this.zalopayKey1,
      ZALOPAY_KEY2: this.zalopayKey2,
      ZALOPAY_API_URL: `http://127.0.0.1:${this.zalopayPort}`,
      FRONTEND_BASE_URL: 'http://frontend.test',
      PAYPAY_API_URL: `http://127.0.0.1:${this.paypayPort}`,
      PAYPAY_API_KEY: this.paypayApiKey,
      PAYPAY_API_SECRET: this.paypayApiSecret,
      PAYPAY_MERCHANT_ID: this.paypayMerchantId,
      PAYPAY_RATE_LIMIT_PER_SECOND: '20',
      PAYPAY_TIMEOUT_MS: '5000',
      GIFT_PIN_PEPPER: 'it-2:integration-gift-pin-pepper-current-0123456789, it-1:integration-gift-pin-pepper-older-0123456789ab',
    }
  },
}
