import { desc } from 'drizzle-orm'
import { emails } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { EmailMessage, EmailSender } from '../ports.ts'

/** The default email adapter: an outbox table, shown by the dev mailbox page. */
export class DrizzleEmailSender implements EmailSender {
  constructor(private readonly db: Db) {}

  async send(m: EmailMessage): Promise<'sent' | 'duplicate'> {
    const rows = await this.db
      .insert(emails)
      .values({ deduplicationKey: m.deduplicationKey, recipient: m.to, subject: m.subject, body: m.body, createdAt: new Date() })
      .onConflictDoNothing()
      .returning({ id: emails.id })
    return rows.length > 0 ? 'sent' : 'duplicate'
  }

  async recent(limit: number) {
    const rows = await this.db.select().from(emails).orderBy(desc(emails.id)).limit(limit)
    return rows.map((r) => ({
      deduplicationKey: r.deduplicationKey,
      to: r.recipient,
      subject: r.subject,
      body: r.body,
      createdAt: r.createdAt,
    }))
  }
}
