import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seed } from '../../tools/db/seed.ts'
import { freePort } from '../../tools/dev/stack.ts'
import { startUpstashRedisDev, type UpstashRedisDev } from '../../tools/upstash-redis-dev/server.ts'
import { TEST_ENV } from '../support/test-env.ts'

/**
 * The same Hono app served by Deno (the `deno` npm package), with a direct Postgres connection:
 * proves nothing below the entries depends on Workers.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let deno: ChildProcess
let upstash: UpstashRedisDev
let base: string
const output: string[] = []

beforeAll(async () => {
  await seed(TEST_ENV.e2eDatabaseUrl)
  upstash = await startUpstashRedisDev({ port: 0, token: 'deno-test-token', redisUrl: TEST_ENV.redisUrl })
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  deno = spawn(
    fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url)),
    ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', 'src/deno.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: TEST_ENV.e2eDatabaseUrl,
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: 'deno-test-token',
        QSTASH_URL: 'http://127.0.0.1:9',
        QSTASH_TOKEN: 'unused',
        QSTASH_CURRENT_SIGNING_KEY: 'unused-current',
        QSTASH_NEXT_SIGNING_KEY: 'unused-next',
        PUBLIC_BASE_URL: base,
        AUTH_ISSUER: TEST_ENV.issuer,
        AUTH_AUDIENCE: TEST_ENV.audience,
        AUTH_HS256_SECRET: TEST_ENV.hs256Secret,
        DENO_NO_UPDATE_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  deno.stdout!.on('data', (c: Buffer) => output.push(c.toString()))
  deno.stderr!.on('data', (c: Buffer) => output.push(c.toString()))
  const deadline = Date.now() + 90_000
  for (;;) {
    if (deno.exitCode !== null) throw new Error(`deno exited ${deno.exitCode}: ${output.join('')}`)
    try {
      if ((await fetch(`${base}/health`)).status === 200) break
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`deno not healthy: ${output.join('')}`)
    await new Promise((r) => setTimeout(r, 250))
  }
})

afterAll(async () => {
  deno?.kill('SIGTERM')
  await upstash?.close()
})

describe('Deno entry', () => {
  it('redeems a gift through the same app', async () => {
    const body = { gift_id: 'DEMO-GIFT-0003', supplier_invoice_no: 'ACC-OSAKA-NAMBA', pin: '4321' }
    const r = await fetch(`${base}/api/gifts/use`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(r.status).toBe(200)
    const json = (await r.json()) as { gift: { gift_status: number; used_supplier_code: string } }
    expect(json.gift).toMatchObject({ gift_status: 1, used_supplier_code: 'SUP-OSAKA' })
    const again = await fetch(`${base}/api/gifts/use`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(again.status).toBe(400)
  })
})
