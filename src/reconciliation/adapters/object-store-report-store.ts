import type { ObjectStore } from '../../shared/object-store.ts'
import type { ReconciliationReport } from '../domain/mismatch.ts'
import type { ReportStore } from '../ports.ts'

const LATEST = 'reconciliation/latest.json'

/** The last report as one JSON object in the file store (R2 on Workers, Postgres elsewhere), and a copy by id. */
export class ObjectStoreReportStore implements ReportStore {
  constructor(private readonly files: ObjectStore) {}

  async save(report: ReconciliationReport): Promise<void> {
    const body = JSON.stringify(report)
    await this.files.put(`reconciliation/reports/${report.generatedAt.slice(0, 10)}/${report.id}.json`, body, 'application/json')
    await this.files.put(LATEST, body, 'application/json')
  }

  async latest(): Promise<ReconciliationReport | null> {
    const o = await this.files.get(LATEST)
    return o ? (JSON.parse(o.body) as ReconciliationReport) : null
  }
}
