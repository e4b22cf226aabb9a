import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../src/platform/config.ts'

const env = {
  DATABASE_URL: 'postgres://u@h/db',
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1',
  UPSTASH_REDIS_REST_TOKEN: 't',
  QSTASH_TOKEN: 't',
  QSTASH_CURRENT_SIGNING_KEY: 'c',
  QSTASH_NEXT_SIGNING_KEY: 'n',
  PUBLIC_BASE_URL: 'http://127.0.0.1:8787',
  AUTH_ISSUER: 'i',
  AUTH_AUDIENCE: 'a',
  AUTH_HS256_SECRET: 'x'.repeat(32),
}
const secret = 's'.repeat(32)

describe('GIFT_PIN_PEPPER', () => {
  it('is optional (the PIN routes answer 503 without it) and reads id:secret pairs, current first', () => {
    expect(loadConfig(env).GIFT_PIN_PEPPER).toBeUndefined()
    expect(loadConfig({ ...env, GIFT_PIN_PEPPER: `k2:${secret}, k1:${secret}:with:colons` }).GIFT_PIN_PEPPER).toEqual([
      { id: 'k2', secret },
      { id: 'k1', secret: `${secret}:with:colons` },
    ])
  })

  it.each([
    ['no id', secret],
    ['short secret', 'k1:short'],
    ['bad id', `k 1:${secret}`],
    ['duplicate id', `k1:${secret},k1:${secret}x`],
  ])('refuses a malformed value at start (%s), naming the variable and not the value', (_, value) => {
    const run = () => loadConfig({ ...env, GIFT_PIN_PEPPER: value })
    expect(run).toThrow(ConfigError)
    expect(run).toThrow(/GIFT_PIN_PEPPER/)
    try {
      run()
    } catch (e) {
      expect(String(e)).not.toContain(secret)
    }
  })
})
