import { timingSafeEqualString } from '../../platform/crypto/constant-time.ts'
import { toBase64 } from '../../platform/crypto/encoding.ts'
import { Pbkdf2Hasher } from '../../platform/crypto/pbkdf2-hasher.ts'
import type { SupplierCode } from '../domain/supplier.ts'
import type { PinCheck, PinHasher, PinSecret, StoredPin } from '../ports.ts'

/** One pepper of GIFT_PIN_PEPPER: the id stored beside each hash and the secret key. */
export interface Pepper {
  readonly id: string
  readonly secret: string
}

/**
 * Supplier PINs as HMAC-SHA256(pepper, [supplier code, PIN]) in base64 (issue 14 item 4).
 *
 * Why not a slow salted hash: a PIN has 10^4 values, so no work factor protects a leaked table
 * (PBKDF2 cost ~58 ms per account per redemption and still fell to 10^9 hashes); the lockout is the
 * defence against guessing, and the pepper, held only in Worker secrets, makes a leaked table
 * alone worthless. Keyed by supplier code and PIN with no per-row salt, one digest per live pepper
 * checks all of a supplier's accounts. The supplier code in the message keeps equal PINs of
 * different suppliers apart, so the table shows no PIN frequencies across suppliers.
 *
 * `peppers[0]` is current; the others are older ones still accepted (rows made with them are
 * rewritten on their next successful use). Rows without a key id are the old PBKDF2 form.
 */
export class PepperedPinHasher implements PinHasher {
  private readonly keys = new Map<string, ReturnType<typeof crypto.subtle.importKey>>()
  private readonly current: Pepper

  constructor(
    private readonly peppers: readonly Pepper[],
    private readonly legacy = new Pbkdf2Hasher(),
  ) {
    if (!peppers[0]) throw new Error('PepperedPinHasher needs at least one pepper')
    this.current = peppers[0]
  }

  async hash(supplierCode: SupplierCode, pin: string): Promise<PinSecret> {
    return { keyId: this.current.id, secret: await this.digest(this.current, supplierCode, pin) }
  }

  async check(supplierCode: SupplierCode, pin: string, stored: readonly StoredPin[]): Promise<PinCheck> {
    const currentId = this.current.id
    // One digest per pepper that some row was made with (normally just the current one).
    const digests = new Map<string, string>()
    for (const p of this.peppers) {
      if (stored.some((s) => s.keyId === p.id)) digests.set(p.id, await this.digest(p, supplierCode, pin))
    }
    // Every peppered row is compared (constant time, no early exit): cheap, and the time taken
    // does not depend on which account matched. Rows of a retired pepper match nothing.
    const peppered = stored.filter((s) => {
      const d = s.keyId === null ? undefined : digests.get(s.keyId)
      return d !== undefined && timingSafeEqualString(d, s.secret)
    })
    if (peppered.length > 0) return { matched: true, stale: peppered.filter((s) => s.keyId !== currentId) }
    // Old PBKDF2 rows, all verified without stopping at a match (their own constant-time compare).
    const old = stored.filter((s) => s.keyId === null)
    const results = await Promise.all(old.map((s) => this.legacy.verify(pin, s.secret)))
    const matchedOld = old.filter((_, i) => results[i])
    return { matched: matchedOld.length > 0, stale: matchedOld }
  }

  private async digest(pepper: Pepper, supplierCode: SupplierCode, pin: string): Promise<string> {
    let key = this.keys.get(pepper.id)
    if (!key) {
      const raw = new TextEncoder().encode(pepper.secret)
      key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      this.keys.set(pepper.id, key)
    }
    // JSON keeps the two parts apart whatever characters an imported supplier code contains.
    const message = new TextEncoder().encode(JSON.stringify([supplierCode, pin]))
    return toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', await key, message)))
  }
}
