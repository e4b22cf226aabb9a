/**
 * Just enough of the PostgreSQL wire protocol to count what crosses a proxy: message boundaries in
 * each direction, without buffering bodies. The start-up message (and SSLRequest, GSSENCRequest,
 * CancelRequest) carries no type byte: length, then a 4-byte code. Every later message is
 * type byte + 4-byte length (which counts itself) + body.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

export const SSL_REQUEST = 80877103
export const GSSENC_REQUEST = 80877104

/** A message seen: its type byte (or the start-up code for untyped ones). */
export type WireMessage = { readonly kind: 'typed'; readonly type: string } | { readonly kind: 'startup'; readonly code: number }

/** Splits one direction of a connection into messages as chunks arrive, however they are cut. */
export class MessageFramer {
  private header = Buffer.alloc(0)
  private skip = 0

  constructor(private untypedNext: boolean) {}

  /** The next message has no type byte (the client's start-up after an SSL refusal). */
  expectUntyped(): void {
    this.untypedNext = true
  }

  push(chunk: Buffer, onMessage: (m: WireMessage) => void): void {
    let at = 0
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at)
        this.skip -= n
        at += n
        continue
      }
      const need = (this.untypedNext ? 8 : 5) - this.header.length
      const take = Math.min(need, chunk.length - at)
      this.header = Buffer.concat([this.header, chunk.subarray(at, at + take)])
      at += take
      if (take < need) return
      if (this.untypedNext) {
        const length = this.header.readInt32BE(0)
        const code = this.header.readInt32BE(4)
        this.untypedNext = false
        this.skip = Math.max(0, length - 8)
        onMessage({ kind: 'startup', code })
      } else {
        const type = String.fromCharCode(this.header[0]!)
        this.skip = Math.max(0, this.header.readInt32BE(1) - 4)
        onMessage({ kind: 'typed', type })
      }
      this.header = Buffer.alloc(0)
    }
  }
}
