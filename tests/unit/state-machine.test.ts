import { describe, expect, it } from 'vitest'
import { defineStateMachine } from '../../src/shared/state-machine.ts'

type S = 'created' | 'pending' | 'paid' | 'failed'
type E = 'submit' | 'pay' | 'fail'
const machine = defineStateMachine<S, E>(
  'payment',
  ['created', 'pending', 'paid', 'failed'],
  [
    { from: 'created', event: 'submit', to: 'pending' },
    { from: ['created', 'pending'], event: 'pay', to: 'paid' },
    { from: 'pending', event: 'fail', to: 'failed' },
  ],
)

describe('state machine table', () => {
  it('follows the table', () => {
    expect(machine.transition('created', 'submit')).toEqual({ ok: true, value: 'pending' })
    expect(machine.transition('pending', 'pay')).toEqual({ ok: true, value: 'paid' })
    expect(machine.transition('created', 'pay')).toEqual({ ok: true, value: 'paid' })
  })

  it('refuses anything not in the table with ILLEGAL_TRANSITION', () => {
    const r = machine.transition('paid', 'fail')
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('ILLEGAL_TRANSITION')
      expect(r.error.details).toEqual({ machine: 'payment', from: 'paid', event: 'fail' })
    }
    expect(machine.can('failed', 'pay')).toBe(false)
  })

  it('knows its terminal states', () => {
    expect([...machine.terminal].sort()).toEqual(['failed', 'paid'])
  })

  it('rejects a table with two targets for one (state, event)', () => {
    expect(() =>
      defineStateMachine<S, E>(
        'bad',
        ['created', 'pending'],
        [
          { from: 'created', event: 'submit', to: 'pending' },
          { from: 'created', event: 'submit', to: 'paid' },
        ],
      ),
    ).toThrow(/duplicate transition/)
  })
})
