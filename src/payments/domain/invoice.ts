import type { Order } from '../../orders/domain/order.ts'
import type { Payment } from './payment.ts'

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

const major = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${escapeHtml(currency)}`

/** A self-contained HTML invoice (every value escaped: names come from the catalog, emails from users). */
export function renderInvoice(order: Order, payment: Payment): string {
  const rows = order.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.sku)}</td><td>${escapeHtml(l.name)}</td><td>${l.quantity}</td><td>${major(l.unitPrice.amount, l.unitPrice.currency)}</td><td>${major(l.lineTotal.amount, l.lineTotal.currency)}</td></tr>`,
    )
    .join('')
  return `<!doctype html><html><head><meta charset="utf-8"><title>Invoice ${escapeHtml(order.id)}</title></head><body>
<h1>Invoice</h1>
<p>Order ${escapeHtml(order.id)} · payment ${escapeHtml(payment.reference)} · billed to ${escapeHtml(payment.email)}</p>
<table><thead><tr><th>SKU</th><th>Item</th><th>Qty</th><th>Unit</th><th>Total</th></tr></thead><tbody>${rows}</tbody>
<tfoot><tr><td colspan="4">Total</td><td>${major(order.total.amount, order.total.currency)}</td></tr></tfoot></table>
</body></html>`
}
