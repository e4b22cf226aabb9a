import { domainError, err, ok, type DomainError, type Result } from './result.ts'

/**
 * Every lifecycle (order, payment, refund, reservation, booking, cashback…) is one explicit table
 * of `{from, event} -> to`. `transition` refuses anything not in the table, so "FAILED after PAID"
 * is rejected in exactly one place instead of by scattered ifs.
 */
export type TransitionTable<S extends string, E extends string> = ReadonlyArray<{
  readonly from: S | readonly S[]
  readonly event: E
  readonly to: S
}>

export interface StateMachine<S extends string, E extends string> {
  readonly name: string
  transition(from: S, event: E): Result<S, DomainError<'ILLEGAL_TRANSITION'>>
  can(from: S, event: E): boolean
  /** States with no outgoing transition. */
  readonly terminal: ReadonlySet<S>
}

export function defineStateMachine<S extends string, E extends string>(
  name: string,
  states: readonly S[],
  table: TransitionTable<S, E>,
): StateMachine<S, E> {
  const index = new Map<string, S>()
  for (const row of table) {
    const froms = (Array.isArray(row.from) ? row.from : [row.from]) as readonly S[]
    for (const from of froms) {
      const key = `${from}\u0000${row.event}`
      if (index.has(key)) throw new Error(`${name}: duplicate transition ${from} --${row.event}->`)
      index.set(key, row.to)
    }
  }
  const withExits = new Set([...index.keys()].map((k) => k.split('\u0000')[0]))
  const terminal = new Set(states.filter((s) => !withExits.has(s)))
  return {
    name,
    terminal,
    can: (from, event) => index.has(`${from}\u0000${event}`),
    transition(from, event) {
      const to = index.get(`${from}\u0000${event}`)
      if (to === undefined) {
        return err(domainError('ILLEGAL_TRANSITION', `${name}: cannot ${event} from ${from}`, { machine: name, from, event }))
      }
      return ok(to)
    },
  }
}
