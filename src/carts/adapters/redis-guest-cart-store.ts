import type { Redis } from '@upstash/redis'
import type { VariantId } from '../../catalog/domain/variant.ts'
import { guarded } from '../../platform/dependency.ts'
import { ulid } from '../../shared/ids.ts'
import type { CartLine, CartSessionId, GuestCart } from '../domain/cart.ts'
import type { CartOwner, GuestCartStore } from '../ports.ts'

const TTL_SECONDS = 7 * 24 * 60 * 60
const REVISION = 'rev'
const LINE = 'v:'

// Deletes the guest cart only if no write happened since the merge read it.
const DELETE_IF_UNCHANGED = `if redis.call('HGET', KEYS[1], 'rev') == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/**
 * Seed 004's `cart:session:{sessionId}`: one hash per guest cart, a field per variant plus a
 * revision that every write replaces, with a sliding 7-day TTL. Redis is this cart's only home, so
 * its errors surface as 503 rather than an empty cart.
 */
export class RedisGuestCartStore implements GuestCartStore {
  constructor(private readonly redis: Redis) {}

  private key(owner: CartOwner | CartSessionId): string {
    const id = typeof owner === 'string' ? owner : owner.kind === 'guest' ? owner.sessionId : null
    if (id === null) throw new Error('RedisGuestCartStore only holds guest carts')
    return `cart:session:${id}`
  }

  async get(sessionId: CartSessionId): Promise<GuestCart | null> {
    const hash = await guarded('redis', () => this.redis.hgetall<Record<string, unknown>>(this.key(sessionId)))
    if (!hash || Object.keys(hash).length === 0) return null
    return { revision: String(hash[REVISION] ?? ''), lines: toLines(hash) }
  }

  async lines(owner: CartOwner): Promise<CartLine[]> {
    const hash = await guarded('redis', () => this.redis.hgetall<Record<string, unknown>>(this.key(owner)))
    return hash ? toLines(hash) : []
  }

  async add(owner: CartOwner, variantId: VariantId, quantity: number, cap: number): Promise<number> {
    const key = this.key(owner)
    const [next] = await guarded('redis', () =>
      this.redis
        .multi()
        .hincrby(key, LINE + variantId, quantity)
        .hset(key, { [REVISION]: ulid() })
        .expire(key, TTL_SECONDS)
        .exec<[number, number, number]>(),
    )
    if (next <= cap) return next
    await guarded('redis', () => this.redis.hset(key, { [LINE + variantId]: cap }))
    return cap
  }

  async set(owner: CartOwner, variantId: VariantId, quantity: number): Promise<void> {
    if (quantity <= 0) return this.remove(owner, variantId)
    const key = this.key(owner)
    await guarded('redis', () =>
      this.redis
        .multi()
        .hset(key, { [LINE + variantId]: quantity, [REVISION]: ulid() })
        .expire(key, TTL_SECONDS)
        .exec(),
    )
  }

  async remove(owner: CartOwner, variantId: VariantId): Promise<void> {
    const key = this.key(owner)
    await guarded('redis', () =>
      this.redis
        .multi()
        .hdel(key, LINE + variantId)
        .hset(key, { [REVISION]: ulid() })
        .exec(),
    )
  }

  async deleteIfUnchanged(sessionId: CartSessionId, revision: string): Promise<void> {
    await guarded('redis', () => this.redis.eval(DELETE_IF_UNCHANGED, [this.key(sessionId)], [revision]))
  }
}

function toLines(hash: Record<string, unknown>): CartLine[] {
  const lines: CartLine[] = []
  for (const [field, value] of Object.entries(hash)) {
    if (!field.startsWith(LINE)) continue
    const quantity = Number(value)
    if (Number.isSafeInteger(quantity) && quantity > 0) lines.push({ variantId: field.slice(LINE.length) as VariantId, quantity })
  }
  return lines
}
