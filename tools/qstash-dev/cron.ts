/**
 * Five-field cron (minute hour day-of-month month day-of-week), UTC: `*`, numbers, ranges `1-5`,
 * lists `1,2`, steps `*\/5` and `1-30/5`; day-of-week 0-7 with 0 and 7 both Sunday. As in Vixie
 * cron, when both day fields are restricted a day matches if either does.
 */
export interface Cron {
  matches(at: Date): boolean
}

const RANGES: ReadonlyArray<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
]

function field(spec: string, [min, max]: [number, number]): Set<number> {
  const out = new Set<number>()
  for (const part of spec.split(',')) {
    const [rangePart, stepPart] = part.split('/')
    const step = stepPart === undefined ? 1 : Number(stepPart)
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in ${JSON.stringify(spec)}`)
    let lo: number
    let hi: number
    if (rangePart === '*') [lo, hi] = [min, max]
    else if (rangePart!.includes('-')) [lo, hi] = rangePart!.split('-').map(Number) as [number, number]
    else {
      lo = Number(rangePart)
      hi = stepPart === undefined ? lo : max
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || lo > hi) {
      throw new Error(`value out of range in ${JSON.stringify(spec)} (allowed ${min}-${max})`)
    }
    for (let v = lo; v <= hi; v += step) out.add(v)
  }
  return out
}

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/)
  if (parts.length !== 5) throw new Error(`cron needs 5 fields, got ${parts.length}: ${JSON.stringify(expr)}`)
  const [minute, hour, dom, month, dow] = parts.map((p, i) => field(p, RANGES[i]!)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  if (dow.has(7)) dow.add(0)
  const domAny = parts[2] === '*'
  const dowAny = parts[4] === '*'
  return {
    matches(at) {
      if (!minute.has(at.getUTCMinutes()) || !hour.has(at.getUTCHours()) || !month.has(at.getUTCMonth() + 1)) return false
      const domOk = dom.has(at.getUTCDate())
      const dowOk = dow.has(at.getUTCDay())
      if (domAny && dowAny) return true
      if (domAny) return dowOk
      if (dowAny) return domOk
      return domOk || dowOk
    },
  }
}
