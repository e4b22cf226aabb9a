import { eq, sql } from 'drizzle-orm'
import { auditLog, properties, propertyNights } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { Night } from '../domain/nights.ts'
import type { Property, PropertyId } from '../domain/property.ts'
import type { PropertyRepository } from '../ports.ts'
import { pgTextArray } from '../../platform/pg-array.ts'
import { json, nightsOf, toProperty } from './drizzle-rows.ts'

export class DrizzlePropertyRepository implements PropertyRepository {
  constructor(private readonly db: Db) {}

  async create(p: Property, audit: AuditEntry): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(properties).values({ ...p })
      await tx.insert(auditLog).values(auditRow(audit))
    })
  }

  async find(id: PropertyId): Promise<Property | null> {
    const [r] = await this.db.select().from(properties).where(eq(properties.id, id))
    return r ? toProperty(r) : null
  }

  async claimedNights(propertyId: PropertyId, nights: readonly Night[]): Promise<Night[]> {
    if (nights.length === 0) return []
    const rows = await this.db.execute<{ night: string }>(sql`
      select n::text as night from unnest(${pgTextArray(nights)}::date[]) as n
      where exists (select 1 from property_nights pn where pn.property_id = ${propertyId} and pn.night = n)
         or exists (select 1 from auctions a where a.property_id = ${propertyId} and a.status = 'OPEN' and n = any(a.nights))
         or exists (
           select 1 from auction_awards w join auctions a on a.id = w.auction_id
           where a.property_id = ${propertyId} and n = any(w.nights)
             and (w.status in ('OFFERED', 'AWARDED')
               or (w.status = 'PAID' and not exists (
                 select 1 from payment_sessions ps join bookings b on b.payment_session_id = ps.id where ps.award_id = w.id))))
      order by n`)
    return rows.map((r) => r.night)
  }

  async calendar(propertyId: PropertyId, from: Night, to: Night): Promise<{ property: Property; booked: Night[] } | null> {
    const [r] = await this.db.execute<{ property: Record<string, unknown>; booked: string[] | string }>(sql`
      select to_jsonb(p) as property,
        array(select pn.night::text from ${propertyNights} pn
              where pn.property_id = p.id and pn.night between ${from}::date and ${to}::date order by pn.night) as booked
      from ${properties} p where p.id = ${propertyId}`)
    return r ? { property: json.property(r.property), booked: nightsOf(r.booked) } : null
  }
}
