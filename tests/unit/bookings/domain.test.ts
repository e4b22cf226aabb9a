import { describe, expect, it } from 'vitest'
import { hmacHex } from '../../../tools/zalopay-sandbox/mac.ts'
import { awardLifecycle, resultOf } from '../../../src/bookings/domain/auction.ts'
import { bookingLifecycle, newReferenceNumber } from '../../../src/bookings/domain/booking.ts'
import { isNight, nightsBetween, sameNights, stayOf } from '../../../src/bookings/domain/nights.ts'
import { pushedStatus, sessionLifecycle, SESSION_STATUSES, verificationStatus } from '../../../src/bookings/domain/payment-session.ts'
import { appTransIdFor, isToday, mRefundIdFor, vnYymmdd } from '../../../src/bookings/domain/zalopay-ids.ts'
import { hmacSha256Hex, macInput, macMatches } from '../../../src/bookings/adapters/zalopay-mac.ts'
import { ZaloPayGateway } from '../../../src/bookings/adapters/zalopay-gateway.ts'

describe('payment session table', () => {
  it('refuses FAILED, EXPIRED or CANCELLED after PAID, and PAID after any final state', () => {
    for (const event of ['fail', 'expire', 'cancel', 'pay', 'order_created'] as const) {
      const r = sessionLifecycle.transition('PAID', event)
      expect(r.ok, event).toBe(false)
    }
    for (const from of ['FAILED', 'CANCELLED', 'EXPIRED'] as const) expect(sessionLifecycle.can(from, 'pay')).toBe(false)
    expect([...sessionLifecycle.terminal].sort()).toEqual(['CANCELLED', 'EXPIRED', 'FAILED', 'PAID'])
    expect(sessionLifecycle.transition('PENDING', 'pay')).toEqual({ ok: true, value: 'PAID' })
    expect(sessionLifecycle.transition('CREATED', 'order_created')).toEqual({ ok: true, value: 'PENDING' })
    expect(sessionLifecycle.can('PENDING', 'order_created')).toBe(false)
  })

  it('maps states to the seed status answer and to the pushed PAYMENT_STATUS', () => {
    expect(SESSION_STATUSES.map(verificationStatus)).toEqual(['PENDING', 'PENDING', 'PAID', 'FAILED', 'CANCELLED', 'FAILED'])
    expect(SESSION_STATUSES.map(pushedStatus)).toEqual(['INITIATED', 'INITIATED', 'COMPLETED', 'FAILED', 'FAILED', 'FAILED'])
  })

  it('award and booking tables', () => {
    expect(awardLifecycle.can('LAPSED', 'pay')).toBe(false)
    expect(awardLifecycle.can('OFFERED', 'pay')).toBe(false)
    expect(awardLifecycle.transition('OFFERED', 'accept')).toEqual({ ok: true, value: 'AWARDED' })
    expect(bookingLifecycle.can('CANCELLED', 'confirm')).toBe(false)
    expect(bookingLifecycle.can('CONFIRMED', 'cancel')).toBe(true)
  })
})

describe('nights', () => {
  it('validates dates, compares sets exactly, and derives the stay', () => {
    expect(isNight('2030-02-28')).toBe(true)
    expect(isNight('2030-02-30')).toBe(false)
    expect(isNight('2030-2-3')).toBe(false)
    expect(sameNights(['2030-01-02', '2030-01-01'], ['2030-01-01', '2030-01-02'])).toBe(true)
    expect(sameNights(['2030-01-01', '2030-01-01'], ['2030-01-01'])).toBe(false)
    expect(sameNights(['2030-01-01'], ['2030-01-01', '2030-01-02'])).toBe(false)
    expect(stayOf(['2030-12-31', '2030-12-30'])).toEqual({ checkIn: '2030-12-30', checkOut: '2031-01-01' })
    expect(nightsBetween('2030-02-27', '2030-03-02')).toEqual(['2030-02-27', '2030-02-28', '2030-03-01'])
    expect(resultOf({ nights: ['a'] }, { nights: ['a', 'b'] })).toBe('PARTIALLY_WON')
    expect(resultOf({ nights: ['a', 'b'] }, { nights: ['a', 'b'] })).toBe('WON')
  })

  it('reference numbers are BK-XXXX-XXXX without look-alike characters', () => {
    const ref = newReferenceNumber(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 255]))
    expect(ref).toMatch(/^BK-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
    expect(() => newReferenceNumber(new Uint8Array(3))).toThrow()
  })
})

describe('ZaloPay ids and MACs', () => {
  it('dates app_trans_id and m_refund_id by the day in Vietnam (GMT+7)', () => {
    const lateUtc = new Date('2030-03-04T18:30:00Z') // already 5 March in Hanoi
    expect(vnYymmdd(lateUtc)).toBe('300305')
    const id = appTransIdFor('ps_01J0000000000000000000000A', lateUtc)
    expect(id).toBe('300305_01J0000000000000000000000A')
    expect(id.length).toBeLessThanOrEqual(40)
    expect(isToday(id, lateUtc)).toBe(true)
    expect(isToday(id, new Date('2030-03-05T17:00:01Z'))).toBe(false)
    expect(mRefundIdFor('rfd_01J0000000000000000000000A', 2553, lateUtc)).toBe('300305_2553_01J0000000000000000000000A')
  })

  it('computes the documented MACs with Web Crypto exactly as the sandbox does with node:crypto', async () => {
    const create = macInput.create({
      appId: 2553,
      appTransId: '300305_X',
      appUser: 'u',
      amount: 50000,
      appTime: 1,
      embedData: '{}',
      item: '[]',
    })
    expect(create).toBe('2553|300305_X|u|50000|1|{}|[]')
    expect(await hmacSha256Hex('key1', create)).toBe(hmacHex('key1', create))
    expect(macInput.query(2553, '300305_X', 'key1')).toBe('2553|300305_X|key1')
    expect(macInput.refund({ appId: 1, zpTransId: '9', amount: 5, description: 'd', timestamp: 7 })).toBe('1|9|5|d|7')
    expect(macInput.queryRefund(1, 'm', 7)).toBe('1|m|7')
    const mac = hmacHex('key2', '{"a":1}')
    expect(await macMatches('key2', '{"a":1}', mac)).toBe(true)
    expect(await macMatches('key2', '{"a":1}', mac.toUpperCase())).toBe(false)
    expect(await macMatches('key2', '{"a":2}', mac)).toBe(false)
    expect(await macMatches('key2', '{"a":1}', '')).toBe(false)
  })

  it('verifies a callback over the exact data string before reading it', async () => {
    const gw = new ZaloPayGateway({ appId: 2553, key1: 'k1', key2: 'k2', apiUrl: 'http://unused' })
    const data = JSON.stringify({ app_id: 2553, app_trans_id: '300305_X', amount: 1000, zp_trans_id: 300305000000001 })
    const ok = await gw.verifyCallback(JSON.stringify({ data, mac: hmacHex('k2', data), type: 1 }))
    expect(ok).toMatchObject({ ok: true, appTransId: '300305_X', transactionId: '300305000000001', amount: 1000 })
    expect(await gw.verifyCallback(JSON.stringify({ data, mac: hmacHex('k1', data), type: 1 }))).toEqual({ ok: false, reason: 'mac' })
    expect(await gw.verifyCallback(JSON.stringify({ data: `${data} `, mac: hmacHex('k2', data), type: 1 }))).toEqual({
      ok: false,
      reason: 'mac',
    })
    expect(await gw.verifyCallback('{')).toEqual({ ok: false, reason: 'malformed' })
    const notJson = 'not json'
    expect(await gw.verifyCallback(JSON.stringify({ data: notJson, mac: hmacHex('k2', notJson) }))).toEqual({
      ok: false,
      reason: 'malformed',
    })
  })
})
