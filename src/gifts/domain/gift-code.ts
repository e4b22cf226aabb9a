/**
 * Gift ids printed on vouchers: upper-case letters and digits without the look-alikes (0/O, 1/I/L),
 * drawn from Web Crypto so they cannot be guessed from earlier ones.
 */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'

export function generateGiftCode(prefix: string, length = 12): string {
  // Rejection sampling keeps every symbol equally likely (256 is not a multiple of 31).
  const limit = 256 - (256 % ALPHABET.length)
  let out = ''
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += ALPHABET[b % ALPHABET.length]
    }
  }
  return prefix + out
}
