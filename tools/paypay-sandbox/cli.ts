import { startPayPaySandbox } from './server.ts'

const env = process.env
const s = await startPayPaySandbox({
  port: Number(env['PAYPAY_SANDBOX_PORT'] ?? 8094),
  ...(env['PAYPAY_API_KEY'] && { apiKey: env['PAYPAY_API_KEY'] }),
  ...(env['PAYPAY_API_SECRET'] && { apiSecret: env['PAYPAY_API_SECRET'] }),
  ...(env['PAYPAY_MERCHANT_ID'] && { merchantId: env['PAYPAY_MERCHANT_ID'] }),
  ...(env['PAYPAY_NOTIFICATION_URL'] && { notificationUrl: env['PAYPAY_NOTIFICATION_URL'] }),
  ...(env['PAYPAY_SANDBOX_PUBLIC_URL'] && { publicUrl: env['PAYPAY_SANDBOX_PUBLIC_URL'] }),
  ...(env['PAYPAY_SETTLE_DELAY_MS'] && { settleDelayMs: Number(env['PAYPAY_SETTLE_DELAY_MS']) }),
  ...(env['PAYPAY_RATE_LIMIT_PER_SECOND'] && { rateLimitPerSecond: Number(env['PAYPAY_RATE_LIMIT_PER_SECOND']) }),
  log: console.log,
})
console.log(`PayPay sandbox on ${s.url}`)
console.log(`  apiKey     ${s.apiKey}`)
console.log(`  apiSecret  ${s.apiSecret}`)
console.log(`  merchantId ${s.merchantId} (send as X-ASSUME-MERCHANT)`)
