import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../tools/dev/stack.ts'
import { TEST_ENV } from '../support/test-env.ts'
import { devGiftPinPepper } from '../../tools/gifts-import/pepper.ts'

export interface DenoServer {
  readonly base: string
  stop(): void
}

/**
 * `src/deno.ts` served by the `deno` npm package on a free port, against the e2e database and
 * the given Upstash dev server, with the test tokens' secret; `env` adds or overrides variables
 * (gateways, QStash signing keys). Resolves once /health answers 200.
 */
export async function startDenoServer(upstash: { url: string; token: string }, env: Record<string, string> = {}): Promise<DenoServer> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const output: string[] = []
  const deno = spawn(
    fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url)),
    ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', 'src/deno.ts'],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: TEST_ENV.e2eDatabaseUrl,
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: upstash.token,
        QSTASH_URL: 'http://127.0.0.1:9',
        QSTASH_TOKEN: 'unused',
        QSTASH_CURRENT_SIGNING_KEY: 'unused-current',
        QSTASH_NEXT_SIGNING_KEY: 'unused-next',
        PUBLIC_BASE_URL: base,
        AUTH_ISSUER: TEST_ENV.issuer,
        AUTH_AUDIENCE: TEST_ENV.audience,
        AUTH_HS256_SECRET: TEST_ENV.hs256Secret,
        GIFT_PIN_PEPPER: devGiftPinPepper(),
        DENO_NO_UPDATE_CHECK: '1',
        ...env,
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
    if (Date.now() > deadline) {
      deno.kill('SIGTERM')
      throw new Error(`deno not healthy: ${output.join('')}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return { base, stop: () => deno.kill('SIGTERM') }
}
