import { describe, expect, it } from 'vitest'
import { callerKey as pinCaller } from '../../../src/platform/http/caller.ts'

describe('pinCaller: whose wrong PINs count together', () => {
  it('is the token subject when the device sent one, else the address', () => {
    expect(pinCaller('dev-7', '203.0.113.1')).toBe('user:dev-7')
    expect(pinCaller(undefined, '203.0.113.1')).toBe('ip:203.0.113.1')
    expect(pinCaller(undefined, undefined)).toBe('ip:unknown')
  })

  it('counts an IPv6 address by its /64, however it is written', () => {
    const net = 'ip:2001:db8:1:2::/64'
    expect(pinCaller(undefined, '2001:db8:1:2::1')).toBe(net)
    expect(pinCaller(undefined, '2001:0DB8:0001:0002:ffff:0:0:9')).toBe(net)
    expect(pinCaller(undefined, '2001:db8:1:3::1')).not.toBe(net)
    expect(pinCaller(undefined, '2001:db8::1')).toBe('ip:2001:db8:0:0::/64')
    expect(pinCaller(undefined, '::1')).toBe('ip:0:0:0:0::/64')
    // An IPv4 address in IPv6 form (a dual-stack socket) is that IPv4 address.
    expect(pinCaller(undefined, '::ffff:203.0.113.9')).toBe('ip:203.0.113.9')
  })
})
