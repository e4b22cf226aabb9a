import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { HttpError } from '../../platform/http/errors.ts'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../../platform/http/route-kit.ts'
import { exportHistory, historyFileRows, reconcileHistoryFile, uploadPayPayHistory } from '../use-cases/history-files.ts'
import { actorOf, ExportRequest, FileParam, FilesQuery, ReconcileQuery, RowsQuery, STATUS, UploadRequest } from './schemas.ts'
import { FileResponse, FileView, fileView, MatchView, matchView, RowView, rowView } from './views.ts'

/** The transaction-history files (seed 000, last section): ours exported daily, PayPay's uploaded, matched. Under /api/admin. */

const tags = ['loyalty admin']

const list = createRoute({
  method: 'get',
  path: '/loyalty/history-files',
  summary: 'Transaction-history files (ours from the daily export, PayPay’s uploaded)',
  tags,
  ...guard('admin'),
  request: { query: FilesQuery },
  responses: { 200: json(z.object({ files: z.array(FileView), total: z.number().int() }), 'Files'), ...errorResponses(400, 401, 403) },
})

const upload = createRoute({
  method: 'post',
  path: '/loyalty/history-files',
  summary: 'Upload PayPay’s transaction file for a JST day (CSV with merchant_cashback_id, amount, status)',
  tags,
  ...guard('admin'),
  request: { body: jsonBody(UploadRequest) },
  responses: { 201: json(FileResponse, 'Stored'), ...errorResponses(400, 401, 403) },
})

const runExport = createRoute({
  method: 'post',
  path: '/loyalty/history-files/export',
  summary: 'Run the daily export now (default: yesterday JST); re-running a date replaces its file',
  tags,
  ...guard('admin'),
  request: { body: jsonBody(ExportRequest) },
  responses: { 200: json(FileResponse, 'Exported'), ...errorResponses(400, 401, 403) },
})

const rows = createRoute({
  method: 'get',
  path: '/loyalty/history-files/{file_id}/rows',
  summary: 'A file’s rows, filterable by status, paginated',
  tags,
  ...guard('admin'),
  request: { params: FileParam, query: RowsQuery },
  responses: {
    200: json(z.object({ file: FileView, rows: z.array(RowView), total: z.number().int() }), 'Rows'),
    ...errorResponses(400, 401, 403, 404),
  },
})

const reconciliation = createRoute({
  method: 'get',
  path: '/loyalty/history-files/{file_id}/reconciliation',
  summary: 'PayPay’s file matched against our records: missing on either side, amount or status mismatches',
  tags,
  ...guard('admin'),
  request: { params: FileParam, query: ReconcileQuery },
  responses: {
    200: json(z.object({ file: FileView, rows: z.array(MatchView), total: z.number().int(), problems: z.number().int() }), 'Matched rows'),
    ...errorResponses(400, 401, 403, 404),
  },
})

const content = createRoute({
  method: 'get',
  path: '/loyalty/history-files/{file_id}/content',
  summary: 'Download the CSV',
  tags,
  ...guard('admin'),
  request: { params: FileParam },
  responses: {
    200: { description: 'The file (attachment)', content: { 'text/csv': { schema: z.string() } } },
    ...errorResponses(400, 401, 403, 404),
  },
})

export const historyFileRoutes = routesOf()
  .openapi(list, async (c) => {
    const q = c.req.valid('query')
    const { files, total } = await c.var.deps.loyalty.history.listFiles({
      limit: q.limit,
      offset: q.offset,
      ...(q.source && { source: q.source }),
    })
    return c.json({ files: files.map(fileView), total }, 200)
  })
  .openapi(upload, async (c) => {
    const b = c.req.valid('json')
    const result = await uploadPayPayHistory(c.var.deps.loyalty, {
      businessDate: b.business_date,
      content: b.content,
      actor: actorOf(c.var.principal),
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ file: fileView(result.value) }, 201)
  })
  .openapi(runExport, async (c) => {
    const b = c.req.valid('json')
    const result = await exportHistory(c.var.deps.loyalty, {
      ...(b.business_date && { businessDate: b.business_date }),
      actor: actorOf(c.var.principal),
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ file: fileView(result.value) }, 200)
  })
  .openapi(rows, async (c) => {
    const q = c.req.valid('query')
    const result = await historyFileRows(c.var.deps.loyalty, {
      fileId: c.req.valid('param').file_id,
      limit: q.limit,
      offset: q.offset,
      ...(q.status && { status: q.status }),
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ file: fileView(result.value.file), rows: result.value.rows.items.map(rowView), total: result.value.rows.total }, 200)
  })
  .openapi(reconciliation, async (c) => {
    const q = c.req.valid('query')
    const result = await reconcileHistoryFile(c.var.deps.loyalty, {
      fileId: c.req.valid('param').file_id,
      onlyProblems: q.only_problems === 'true',
      limit: q.limit,
      offset: q.offset,
    })
    if (!result.ok) refuse(result.error, STATUS)
    const r = result.value
    return c.json({ file: fileView(r.file), rows: r.rows.items.map(matchView), total: r.rows.total, problems: r.problems }, 200)
  })
  .openapi(content, async (c) => {
    const file = await c.var.deps.loyalty.history.findFile(c.req.valid('param').file_id)
    const obj = file ? await c.var.deps.loyalty.files.get(file.objectKey) : null
    if (!file || !obj) throw new HttpError(404, 'HISTORY_FILE_NOT_FOUND', 'History file not found')
    return c.body(obj.body, 200, {
      'content-type': obj.contentType,
      'content-disposition': `attachment; filename="${file.source}-${file.businessDate}.csv"`,
    })
  })
