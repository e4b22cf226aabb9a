import { startZaloPaySandbox } from './server.ts'

const env = process.env
const s = await startZaloPaySandbox({
  port: Number(env['ZALOPAY_SANDBOX_PORT'] ?? 8092),
  ...(env['ZALOPAY_APP_ID'] && { appId: Number(env['ZALOPAY_APP_ID']) }),
  ...(env['ZALOPAY_KEY1'] && { key1: env['ZALOPAY_KEY1'] }),
  ...(env['ZALOPAY_KEY2'] && { key2: env['ZALOPAY_KEY2'] }),
  ...(env['ZALOPAY_CALLBACK_URL'] && { callbackUrl: env['ZALOPAY_CALLBACK_URL'] }),
  ...(env['ZALOPAY_SANDBOX_PUBLIC_URL'] && { publicUrl: env['ZALOPAY_SANDBOX_PUBLIC_URL'] }),
  log: console.log,
})
console.log(`ZaloPay sandbox on ${s.url} (app_id ${s.appId}, key1 ${s.key1}, key2 ${s.key2})`)
