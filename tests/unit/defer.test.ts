import { describe, expect, it } from 'vitest'
import { deferVia } from '../../src/shared/defer.ts'
import type { Logger } from '../../src/shared/logger.ts'

function recordingLogger(lines: Array<[string, Record<string, unknown> | undefined]>): Logger {
  const log = (msg: string, fields?: Record<string, unknown>) => void lines.push([msg, fields])
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger }
  return logger
}

describe('deferVia', () => {
  it('hands the runtime a promise that settles when the task does, and never rejects', async () => {
    const lines: Array<[string, Record<string, unknown> | undefined]> = []
    const kept: Promise<unknown>[] = []
    const defer = deferVia((p) => kept.push(p), recordingLogger(lines))
    let ran = false
    defer('ok', async () => {
      ran = true
    })
    defer('boom', async () => {
      throw new Error('redis down')
    })
    defer('sync-throw', () => {
      throw new Error('bad')
    })
    expect(kept).toHaveLength(3)
    await Promise.all(kept)
    expect(ran).toBe(true)
    expect(lines).toHaveLength(2)
    expect(lines).toEqual(
      expect.arrayContaining([
        ['deferred work failed', { task: 'boom', error: 'redis down' }],
        ['deferred work failed', { task: 'sync-throw', error: 'bad' }],
      ]),
    )
  })
})
