import { describe, expect, it } from 'vitest'
import type { Award, AwardId } from '../../../src/bookings/domain/auction.ts'
import type { AuctionRepository } from '../../../src/bookings/ports.ts'
import { offerToNextBidder } from '../../../src/bookings/use-cases/second-chance.ts'
import { fixture } from './fakes.ts'

/** offerToNextBidder reads once, builds the offer, commits once; a refused commit is read again. */
function withOffers(commits: boolean[], opts: { liveClaim?: boolean; runnerUp?: boolean } = {}) {
  const f = fixture()
  const committed: Array<{ offer: Award; rank: number }> = []
  let reads = 0
  const repo = f.deps.auctions as { -readonly [K in keyof AuctionRepository]: AuctionRepository[K] }
  repo.nextOffer = async (root) => {
    reads++
    return {
      root: f.award,
      propertyName: 'Villa',
      liveClaim: opts.liveClaim ?? false,
      runnerUp: opts.runnerUp === false ? null : { rootAwardId: root, rank: reads, userId: `runner-${reads}`, amount: 1_500_000 },
    }
  }
  repo.commitOffer = async (offer, rank) => {
    const ok = commits.shift() ?? false
    if (ok) committed.push({ offer, rank })
    return ok
  }
  return { f, committed, reads: () => reads }
}

const actor = { actor: 'system:test', requestId: 'req_1' }

describe('second-chance offers', () => {
  it('offers the nights to the runner-up read, and pushes SECOND_CHANCE_OFFER once committed', async () => {
    const { f, committed, reads } = withOffers([true])
    const offer = await offerToNextBidder(f.deps, f.award.id, actor)
    expect(offer).toMatchObject({
      kind: 'SECOND_CHANCE',
      status: 'OFFERED',
      userId: 'runner-1',
      amount: 1_500_000,
      nights: f.award.nights,
      rootAwardId: f.award.id,
    })
    expect(committed.map((c) => c.rank)).toEqual([1])
    expect(reads()).toBe(1)
    expect(f.pushed.map((p) => p.event)).toEqual([
      expect.objectContaining({ type: 'SECOND_CHANCE_OFFER', userId: 'runner-1', propertyName: 'Villa' }),
    ])
  })

  it('a commit refused by a concurrent change is retried from the read, a bounded number of times', async () => {
    const retried = withOffers([false, true])
    expect((await offerToNextBidder(retried.f.deps, retried.f.award.id, actor))?.userId).toBe('runner-2')
    expect(retried.reads()).toBe(2)

    const losing = withOffers([false, false, false, true])
    expect(await offerToNextBidder(losing.f.deps, losing.f.award.id, actor)).toBeNull()
    expect(losing.reads()).toBe(3)
    expect(losing.f.pushed).toEqual([])
  })

  it('offers nothing while a claim is live or when nobody is left', async () => {
    for (const opts of [{ liveClaim: true }, { runnerUp: false }]) {
      const { f, committed } = withOffers([true], opts)
      expect(await offerToNextBidder(f.deps, 'awd_1' as AwardId, actor)).toBeNull()
      expect(committed).toEqual([])
    }
  })
})
