import type { Logger } from '../../shared/logger.ts'
import type { EmailSender } from '../ports.ts'

/**
 * The default mailer: writes each email to the log. Production plugs a provider adapter behind
 * the same port; the outbox (booking_email_outbox) is the record of what was sent and when.
 */
export class LogEmailSender implements EmailSender {
  constructor(private readonly logger: Logger) {}

  async send(m: { toUserId: string; subject: string; body: string }): Promise<void> {
    this.logger.info('email', { to_user_id: m.toUserId, subject: m.subject, body: m.body })
  }
}
