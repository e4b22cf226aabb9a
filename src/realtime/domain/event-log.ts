import type { SequencedEvent, UserEvent } from './events.ts'

/**
 * One user's recent events in memory, numbered 1, 2, 3…: a publish with a key already seen
 * returns the first one's number instead of appending (a retried job pushes once). Keeps the last
 * `capacity` events for replay. The Durable Object keeps the same log in its SQLite storage.
 */
export class EventLog {
  private seq = 0
  private readonly events: SequencedEvent[] = []
  private readonly keys = new Map<string, number>()

  constructor(private readonly capacity: number) {}

  append(event: UserEvent, key?: string): { event: SequencedEvent; duplicate: boolean } {
    const seen = key === undefined ? undefined : this.keys.get(key)
    if (seen !== undefined) {
      const existing = this.events.find((e) => e.seq === seen)
      if (existing) return { event: existing, duplicate: true }
      // Pruned already: still a duplicate, report its number.
      return { event: { ...event, seq: seen }, duplicate: true }
    }
    const sequenced = { ...event, seq: ++this.seq } as SequencedEvent
    this.events.push(sequenced)
    if (key !== undefined) this.keys.set(key, sequenced.seq)
    while (this.events.length > this.capacity) this.events.shift()
    if (this.keys.size > this.capacity * 4) {
      const oldest = this.oldestSeq
      for (const [k, s] of this.keys) if (s < oldest) this.keys.delete(k)
    }
    return { event: sequenced, duplicate: false }
  }

  get latestSeq(): number {
    return this.seq
  }

  /** The oldest number still kept (latestSeq + 1 when empty). */
  get oldestSeq(): number {
    return this.events[0]?.seq ?? this.seq + 1
  }

  all(): readonly SequencedEvent[] {
    return this.events
  }
}

/** True when events after `afterSeq` have been pruned, so a replay cannot be complete. */
export const hasGap = (afterSeq: number, oldestSeq: number): boolean => afterSeq + 1 < oldestSeq
