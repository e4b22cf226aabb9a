import { describe, expect, it } from 'vitest'
import { decodeTime } from 'ulid'
import { ConfigError, loadConfig } from '../../src/platform/config.ts'
import { Pbkdf2Hasher } from '../../src/platform/crypto/pbkdf2-hasher.ts'
import { timingSafeEqualString } from '../../src/platform/crypto/constant-time.ts'
import { createLogger } from '../../src/platform/logger.ts'
import { derivedId, prefixedId, ulid } from '../../src/shared/ids.ts'

const validEnv = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:8079',
  UPSTASH_REDIS_REST_TOKEN: 't',
  QSTASH_TOKEN: 'q',
  QSTASH_CURRENT_SIGNING_KEY: 'c',
  QSTASH_NEXT_SIGNING_KEY: 'n',
  PUBLIC_BASE_URL: 'http://127.0.0.1:8787',
  AUTH_ISSUER: 'iss',
  AUTH_AUDIENCE: 'aud',
  AUTH_HS256_SECRET: 'x'.repeat(32),
}

describe('config', () => {
  it('accepts a complete environment and applies defaults', () => {
    const c = loadConfig(validEnv)
    expect(c.QSTASH_URL).toBe('https://qstash.upstash.io')
    expect(c.CORS_ALLOWED_ORIGINS).toEqual([])
  })

  it('names every missing secret, and treats empty strings as missing', () => {
    const { QSTASH_TOKEN: _q, ...rest } = validEnv
    try {
      loadConfig({ ...rest, UPSTASH_REDIS_REST_TOKEN: '' })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      const msg = (e as ConfigError).message
      expect(msg).toContain('QSTASH_TOKEN: missing')
      expect(msg).toContain('UPSTASH_REDIS_REST_TOKEN: missing')
      expect(msg).not.toContain('x'.repeat(32))
    }
  })

  it('requires one way to verify tokens', () => {
    const { AUTH_HS256_SECRET: _s, ...rest } = validEnv
    expect(() => loadConfig(rest)).toThrow(/AUTH_JWKS_URL/)
  })

  it('parses the CORS allow-list', () => {
    expect(loadConfig({ ...validEnv, CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).CORS_ALLOWED_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ])
  })

  it('takes a Durable Object location hint for the inventory objects, empty meaning none', () => {
    expect(loadConfig({ ...validEnv, INVENTORY_DO_LOCATION_HINT: 'enam' }).INVENTORY_DO_LOCATION_HINT).toBe('enam')
    expect(loadConfig({ ...validEnv, INVENTORY_DO_LOCATION_HINT: '' }).INVENTORY_DO_LOCATION_HINT).toBeUndefined()
    expect(() => loadConfig({ ...validEnv, INVENTORY_DO_LOCATION_HINT: 'mars' })).toThrow(/INVENTORY_DO_LOCATION_HINT/)
  })
})

describe('PBKDF2 secret hashing', () => {
  const hasher = new Pbkdf2Hasher(1000)

  it('verifies the right secret and rejects others', async () => {
    const stored = await hasher.hash('1234')
    expect(stored).toMatch(/^pbkdf2-sha256\$1000\$/)
    expect(stored).not.toContain('1234$')
    expect(await hasher.verify('1234', stored)).toBe(true)
    expect(await hasher.verify('1235', stored)).toBe(false)
    expect(await hasher.verify('1234', 'garbage')).toBe(false)
  })

  it('salts: the same PIN hashes differently each time', async () => {
    expect(await hasher.hash('1234')).not.toBe(await hasher.hash('1234'))
  })

  it('constant-time compare handles different lengths', () => {
    expect(timingSafeEqualString('abc', 'abc')).toBe(true)
    expect(timingSafeEqualString('abc', 'abd')).toBe(false)
    expect(timingSafeEqualString('abc', 'abcd')).toBe(false)
  })
})

describe('logger', () => {
  it('masks secret-looking fields at any depth', () => {
    const lines: string[] = []
    const log = createLogger('debug', { service: 't' }, (l) => lines.push(l))
    log.info('x', { pin: '1234', body: { supplier_account_secret_code: 's', nested: [{ token: 'abc' }] }, ok: 1 })
    const out = lines.join('\n')
    expect(out).not.toContain('1234')
    expect(out).not.toContain('"abc"')
    expect(JSON.parse(lines[0]!).ok).toBe(1)
  })

  it('respects the level', () => {
    const lines: string[] = []
    createLogger('warn', {}, (l) => lines.push(l)).info('hidden')
    expect(lines).toEqual([])
  })
})

describe('ids', () => {
  it('are prefixed and sort by time', () => {
    const a = prefixedId('ord', 1_700_000_000_000)
    const b = prefixedId('ord', 1_700_000_000_001)
    expect(a).toMatch(/^ord_[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(a < b).toBe(true)
    expect(ulid()).not.toBe(ulid())
  })

  it('carry their time and stay monotonic within a millisecond and when the clock steps back', () => {
    const t = Date.now() + 60_000
    const sameMs = Array.from({ length: 1000 }, () => prefixedId('ord', t))
    expect([...sameMs].sort()).toEqual(sameMs)
    expect(new Set(sameMs).size).toBe(1000)
    expect(decodeTime(sameMs[0]!.slice(4))).toBe(t)
    const later = ulid(t + 1)
    expect(decodeTime(later)).toBe(t + 1)
    expect(ulid(t - 5_000) > later).toBe(true)
  })

  it('derived ids are stable per seed and shaped like ULIDs', async () => {
    expect(await derivedId('rfd', 'key-1')).toBe(await derivedId('rfd', 'key-1'))
    expect(await derivedId('rfd', 'key-1')).not.toBe(await derivedId('rfd', 'key-2'))
    expect(await derivedId('rfd', 'key-1')).toMatch(/^rfd_[0-9A-HJKMNP-TV-Z]{26}$/)
  })
})
