/**
 * The create answer's qr_code: an EMVCo merchant-presented payload like the real
 * "00020101021226520010vn.zalopay...", so QR libraries and CRC checks accept it.
 */
function tlv(id: string, value: string): string {
  return `${id}${String(value.length).padStart(2, '0')}${value}`
}

/** CRC-16/CCITT-FALSE, the checksum EMVCo QR payloads end with (tag 63). */
function crc16(text: string): string {
  let crc = 0xffff
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc.toString(16).toUpperCase().padStart(4, '0')
}

export function qrCodePayload(zpTransToken: string, amount: number): string {
  const merchant = tlv('00', 'vn.zalopay') + tlv('01', zpTransToken)
  const body = `${tlv('00', '01') + tlv('01', '12') + tlv('26', merchant) + tlv('53', '704') + tlv('54', String(amount)) + tlv('58', 'VN')}6304`
  return body + crc16(body)
}
