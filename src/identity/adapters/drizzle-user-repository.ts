import { eq } from 'drizzle-orm'
import { auditLog, users } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { Email, User, UserId } from '../domain/user.ts'
import type { UserRepository } from '../ports.ts'

export class DrizzleUserRepository implements UserRepository {
  constructor(private readonly db: Db) {}

  async create(
    user: { id: UserId; email: Email; passwordHash: string; roles: readonly string[] },
    audit: AuditEntry,
  ): Promise<User | null> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .insert(users)
        .values({ id: user.id, email: user.email, passwordHash: user.passwordHash, roles: [...user.roles] })
        .onConflictDoNothing({ target: users.email })
        .returning({ id: users.id })
      if (rows.length === 0) return null
      await tx.insert(auditLog).values(auditRow({ ...audit, data: { email: user.email } }))
      return { id: user.id, email: user.email, roles: user.roles }
    })
  }

  async findByEmail(email: Email): Promise<(User & { passwordHash: string }) | null> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email))
    return row ? { id: row.id as UserId, email: row.email as Email, roles: row.roles, passwordHash: row.passwordHash } : null
  }

  async findById(id: string): Promise<User | null> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id))
    return row ? { id: row.id as UserId, email: row.email as Email, roles: row.roles } : null
  }
}
