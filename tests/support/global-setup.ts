import type { TestProject } from 'vitest/node'
import { recreateDatabase, runMigrations } from '../../tools/db/migrate.ts'
import { startPayPaySandbox } from '../../tools/paypay-sandbox/server.ts'
import { startPaystackSandbox } from '../../tools/paystack-sandbox/server.ts'
import { startQStashDev } from '../../tools/qstash-dev/server.ts'
import { startProxyControl } from '../../tools/latency-proxy/control.ts'
import { startLatencyProxy } from '../../tools/latency-proxy/proxy.ts'
import { startZaloPaySandbox } from '../../tools/zalopay-sandbox/server.ts'
import { TEST_ENV } from './test-env.ts'

/**
 * Runs in Node before a tier's tests: a fresh, migrated database for the tier, and for the
 * integration and budgets tiers (whose Worker bindings are fixed in vitest.config.ts) the Upstash
 * REST and QStash dev servers, the gateway sandboxes and the counting latency proxies on their
 * fixed test ports, in front of the real local Redis. The e2e tier starts its own stack the way
 * `npm run dev` does.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (project.name === 'e2e') {
    await recreateDatabase(TEST_ENV.e2eDatabaseUrl)
    await runMigrations(TEST_ENV.e2eDatabaseUrl)
    return async () => {}
  }
  // The integration and budgets tiers share one stack: whichever starts first starts it (global
  // setups of several projects run in this one Node process), the last to finish stops it.
  const shared = globalThis as { integrationStack?: { started: Promise<() => Promise<void>>; users: number } }
  shared.integrationStack ??= { started: startIntegrationStack(), users: 0 }
  const stack = shared.integrationStack
  stack.users++
  const stop = await stack.started
  return async () => {
    if (--stack.users === 0) await stop()
  }
}

async function startIntegrationStack(): Promise<() => Promise<void>> {
  await recreateDatabase(TEST_ENV.integrationDatabaseUrl)
  await runMigrations(TEST_ENV.integrationDatabaseUrl)
  // Imported here, once per run: each project's setup module is loaded by its own module runner, and
  // ioredis (behind the Upstash dev server) fails when its CommonJS entry is evaluated twice in
  // one process ("Cannot redefine property: default"). Only the first caller gets here.
  const { startUpstashRedisDev } = await import('../../tools/upstash-redis-dev/server.ts')
  const upstash = await startUpstashRedisDev({
    port: TEST_ENV.upstashPort,
    token: TEST_ENV.upstashToken,
    redisUrl: TEST_ENV.redisUrl,
  })
  const qstash = await startQStashDev({
    port: TEST_ENV.qstashPort,
    token: TEST_ENV.qstashToken,
    currentSigningKey: TEST_ENV.qstashCurrentSigningKey,
    nextSigningKey: TEST_ENV.qstashNextSigningKey,
  })
  // Webhooks cannot reach the Worker under test (it has no port): tests suppress them and POST the
  // sandbox's signed bodies themselves with SELF.fetch.
  const paystack = await startPaystackSandbox({
    port: TEST_ENV.paystackPort,
    secretKey: TEST_ENV.paystackSecretKey,
    webhookRetryScale: 0.001,
    refundDelayMs: Number.POSITIVE_INFINITY,
  })
  // ZaloPay callbacks likewise: tests read the signed callback from the sandbox's delivery log.
  const zalopay = await startZaloPaySandbox({
    port: TEST_ENV.zalopayPort,
    appId: TEST_ENV.zalopayAppId,
    key1: TEST_ENV.zalopayKey1,
    key2: TEST_ENV.zalopayKey2,
    callbackRetryScale: 0.001,
    refundDelayMs: Number.POSITIVE_INFINITY,
  })
  // PayPay: grants settle SUCCESS on their own after a short delay unless a test settles them first
  // through the control API; notifications are POSTed by the tests themselves.
  const paypay = await startPayPaySandbox({
    port: TEST_ENV.paypayPort,
    apiKey: TEST_ENV.paypayApiKey,
    apiSecret: TEST_ENV.paypayApiSecret,
    merchantId: TEST_ENV.paypayMerchantId,
    settleDelayMs: 1500,
  })
  // The budgets tier's Worker reaches Postgres and the Upstash dev server through counting proxies.
  const pgTarget = new URL(TEST_ENV.integrationDatabaseUrl)
  const pgProxy = await startLatencyProxy({
    protocol: 'postgres',
    port: TEST_ENV.pgProxyPort,
    target: { host: pgTarget.hostname, port: Number(pgTarget.port || 5432) },
  })
  const upstashProxy = await startLatencyProxy({
    protocol: 'http',
    port: TEST_ENV.upstashProxyPort,
    target: { host: '127.0.0.1', port: TEST_ENV.upstashPort },
  })
  const control = await startProxyControl(TEST_ENV.proxyControlPort, { postgres: pgProxy, redis: upstashProxy })
  return async () => {
    await Promise.all([
      upstash.close(),
      qstash.close(),
      paystack.close(),
      zalopay.close(),
      paypay.close(),
      control.close(),
      pgProxy.close(),
      upstashProxy.close(),
    ])
  }
}
