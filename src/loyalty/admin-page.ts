import { Hono } from 'hono'
import type { AppEnv } from '../platform/http/app-env.ts'

/**
 * A small admin page for the transaction-history files (seed 000, last section): the file list,
 * a file's rows (status filter, pages), PayPay uploads and, for an uploaded PayPay file, its rows
 * matched against ours with each mismatch highlighted. It is a static shell: every datum comes
 * from the admin API with the admin's bearer token (kept in sessionStorage), rendered with
 * textContent only, under a CSP that allows nothing but this origin's own script.
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPay transaction history</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;max-width:80rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}
tr.problem td{background:#ffe3e3}
td.bad{color:#b00020;font-weight:600}
button{margin-right:.4rem}
#files tr[data-file-id]{cursor:pointer}
#error{color:#b00020}
fieldset{border:1px solid #ddd;margin:.5rem 0}
</style></head>
<body data-state="idle">
<h1>PayPay transaction history</h1>
<form id="auth"><label>Admin token <input id="token" type="password" size="50" autocomplete="off"></label> <button id="load">Load files</button></form>
<p id="error" role="alert"></p>
<fieldset><legend>Export our file / upload PayPay's</legend>
<form id="export"><label>Business date (JST) <input id="export-date" placeholder="YYYY-MM-DD"></label> <button>Export ours</button></form>
<form id="upload"><label>Business date (JST) <input id="upload-date" placeholder="YYYY-MM-DD"></label>
<label>PayPay CSV <input id="upload-file" type="file" accept=".csv,text/csv"></label> <button>Upload</button></form>
</fieldset>
<h2>Files</h2>
<table id="files"><thead><tr><th>Business date</th><th>Source</th><th>Rows</th><th>Updated</th><th>SHA-256</th></tr></thead><tbody></tbody></table>
<section id="detail" hidden>
<h2 id="detail-title"></h2>
<p><label>Status <select id="status"><option value="">all</option><option>ACCEPTED</option><option>SUCCESS</option><option>FAILURE</option></select></label>
<button id="prev">Previous</button><button id="next">Next</button> <span id="page"></span></p>
<table id="rows"><thead><tr><th>Type</th><th>merchantCashbackId</th><th>Reversal id</th><th>User</th><th>Amount</th><th>Status</th><th>Requested</th><th>Completed</th></tr></thead><tbody></tbody></table>
<div id="recon" hidden><h3>Matched against our records <span id="problems"></span></h3>
<label><input type="checkbox" id="only-problems"> only mismatches</label>
<table id="matches"><thead><tr><th>Transaction</th><th>Ours: amount</th><th>PayPay: amount</th><th>Ours: status</th><th>PayPay: status</th><th>Problems</th></tr></thead><tbody></tbody></table></div>
</section>
<script src="/admin/loyalty/history.js"></script>
</body></html>`

const SCRIPT = `'use strict';
const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 50;
let current = null; let offset = 0;
$('token').value = sessionStorage.getItem('adminToken') || '';
async function api(path, init) {
  const res = await fetch(path, { ...init, headers: { ...(init && init.headers), authorization: 'Bearer ' + $('token').value } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((body.error && (body.error.code + ': ' + body.error.message)) || ('HTTP ' + res.status));
  return body;
}
function cell(tr, text, cls) { const td = document.createElement('td'); td.textContent = text == null ? '' : String(text); if (cls) td.className = cls; tr.appendChild(td); return td; }
function fail(e) { $('error').textContent = e.message; document.body.dataset.state = 'error'; }
async function loadFiles() {
  sessionStorage.setItem('adminToken', $('token').value);
  $('error').textContent = '';
  const { files } = await api('/api/admin/loyalty/history-files?limit=100');
  const tbody = $('files').tBodies[0]; tbody.replaceChildren();
  for (const f of files) {
    const tr = document.createElement('tr'); tr.dataset.fileId = f.file_id; tr.dataset.source = f.source;
    cell(tr, f.business_date); cell(tr, f.source); cell(tr, f.row_count); cell(tr, f.updated_at); cell(tr, f.sha256.slice(0, 12));
    tr.addEventListener('click', () => { current = f; offset = 0; loadRows().catch(fail); });
    tbody.appendChild(tr);
  }
  document.body.dataset.state = 'files';
}
async function loadRows() {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if ($('status').value) q.set('status', $('status').value);
  const r = await api('/api/admin/loyalty/history-files/' + current.file_id + '/rows?' + q);
  $('detail').hidden = false;
  $('detail-title').textContent = current.source + ' file for ' + current.business_date;
  $('page').textContent = (r.total === 0 ? 0 : offset + 1) + '–' + Math.min(offset + PAGE_SIZE, r.total) + ' of ' + r.total;
  $('prev').disabled = offset === 0; $('next').disabled = offset + PAGE_SIZE >= r.total;
  const tbody = $('rows').tBodies[0]; tbody.replaceChildren();
  for (const row of r.rows) {
    const tr = document.createElement('tr');
    for (const v of [row.transaction_type, row.merchant_cashback_id, row.merchant_cashback_reversal_id, row.user_id, row.amount, row.status, row.requested_at, row.completed_at]) cell(tr, v);
    tbody.appendChild(tr);
  }
  if (current.source === 'paypay') await loadRecon(); else $('recon').hidden = true;
  document.body.dataset.state = 'rows';
}
async function loadRecon() {
  const q = new URLSearchParams({ limit: '500', only_problems: String($('only-problems').checked) });
  const r = await api('/api/admin/loyalty/history-files/' + current.file_id + '/reconciliation?' + q);
  $('recon').hidden = false; $('problems').textContent = '(' + r.problems + ' with problems)';
  const tbody = $('matches').tBodies[0]; tbody.replaceChildren();
  for (const m of r.rows) {
    const tr = document.createElement('tr'); tr.dataset.key = m.key; tr.dataset.problems = m.problems.join(' ');
    if (m.problems.length) tr.className = 'problem';
    const p = new Set(m.problems);
    cell(tr, m.key);
    cell(tr, m.ours ? m.ours.amount : 'missing', p.has('amount_mismatch') || p.has('missing_in_ours') ? 'bad' : '');
    cell(tr, m.paypay ? m.paypay.amount : 'missing', p.has('amount_mismatch') || p.has('missing_in_paypay') ? 'bad' : '');
    cell(tr, m.ours ? m.ours.status : 'missing', p.has('status_mismatch') || p.has('missing_in_ours') ? 'bad' : '');
    cell(tr, m.paypay ? m.paypay.status : 'missing', p.has('status_mismatch') || p.has('missing_in_paypay') ? 'bad' : '');
    cell(tr, m.problems.join(', ') || 'ok');
    tbody.appendChild(tr);
  }
}
$('auth').addEventListener('submit', (e) => { e.preventDefault(); loadFiles().catch(fail); });
$('status').addEventListener('change', () => { offset = 0; loadRows().catch(fail); });
$('only-problems').addEventListener('change', () => loadRecon().catch(fail));
$('prev').addEventListener('click', () => { offset = Math.max(0, offset - PAGE_SIZE); loadRows().catch(fail); });
$('next').addEventListener('click', () => { offset += PAGE_SIZE; loadRows().catch(fail); });
$('export').addEventListener('submit', (e) => {
  e.preventDefault();
  const d = $('export-date').value.trim();
  api('/api/admin/loyalty/history-files/export', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d ? { business_date: d } : {}) }).then(loadFiles).catch(fail);
});
$('upload').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const file = $('upload-file').files[0]; if (!file) throw new Error('choose a CSV file');
    const content = await file.text();
    await api('/api/admin/loyalty/history-files', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ business_date: $('upload-date').value.trim(), content }) });
    await loadFiles();
  } catch (err) { fail(err); }
});
if ($('token').value) loadFiles().catch(fail);
`

const CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

/** Mounted at the root. The shell holds no data, so it needs no auth; the API calls do. */
export const loyaltyPageRoutes = new Hono<AppEnv>()
  .get('/admin/loyalty/history', (c) => c.html(PAGE, 200, { 'content-security-policy': CSP, 'cache-control': 'no-store' }))
  .get('/admin/loyalty/history.js', (c) =>
    c.body(SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    }),
  )
