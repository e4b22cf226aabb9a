import { timingSafeEqual } from './constant-time.ts'
import { fromBase64, toBase64 } from './encoding.ts'

/**
 * Salted PBKDF2-SHA256 through Web Crypto (no native addon, same code in workerd, Deno and Node).
 * 100 000 iterations is workerd's ceiling for PBKDF2; the count is stored in the hash so it can be
 * raised later without invalidating existing secrets. Format: `pbkdf2-sha256$iter$salt$hash`.
 */
const SCHEME = 'pbkdf2-sha256'
const KEY_BITS = 256

export class Pbkdf2Hasher {
  constructor(private readonly iterations = 100_000) {}

  async hash(secret: string): Promise<string> {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const derived = await derive(secret, salt, this.iterations)
    return `${SCHEME}$${this.iterations}$${toBase64(salt)}$${toBase64(derived)}`
  }

  async verify(secret: string, stored: string): Promise<boolean> {
    const parts = stored.split('$')
    if (parts.length !== 4 || parts[0] !== SCHEME) return false
    const iterations = Number(parts[1])
    if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 100_000) return false
    const expected = fromBase64(parts[3]!)
    const actual = await derive(secret, fromBase64(parts[2]!), iterations)
    return timingSafeEqual(actual, expected)
  }
}

async function derive(secret: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, KEY_BITS)
  return new Uint8Array(bits)
}
