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
  upstashToken: 'test-upstash-token',
  qstashToken: 'test-qstash-token',
  qstashCurrentSigningKey: 'sig_test_current',
  qstashNextSigningKey: 'sig_test_next',
  hs256Secret: 'test-only-hs256-secret-0123456789abcdef',
  issuer: 'edge-payments-test',
  audience: 'edge-payments',
  integrationDatabaseUrl: `${pg}/${prefix}_it`,
  e2eDatabaseUrl: `${pg}/${prefix}_e2e`,
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
      PAYSTACK_SECRET_KEY: this.paystackSecretKey,
      PAYSTACK_API_URL: `http://127.0.0.1:${this.paystackPort}`,
      DEV_MAILBOX: 'true',
    }
  },
}
