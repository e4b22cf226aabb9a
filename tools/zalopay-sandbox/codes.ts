/**
 * ZaloPay's answer envelope. Business outcomes are always HTTP 200 with return_code (1 success, 2
 * fail, 3 processing) and sub_return_code for the detail (docs/protocols/zalopay.md). Codes marked
 * [INFERENCE] are the sandbox's choice where ZaloPay publishes no code; see README.
 */
export interface Reply {
  return_code: 1 | 2 | 3
  return_message: string
  sub_return_code: number
  sub_return_message: string
  [field: string]: unknown
}

export const SUCCESS_MESSAGE = 'Giao dịch thành công'
const FAIL_MESSAGE = 'Giao dịch thất bại'
const PROCESSING_MESSAGE = 'Giao dịch đang xử lý'

export const SUB = {
  /** -68 DUPLICATE_APPS_TRANS_ID */
  DUPLICATE: { code: -68, message: 'Mã giao dịch đã tồn tại (DUPLICATE_APPS_TRANS_ID)' },
  /** -401 ILLEGAL_DATA_REQUEST: bad or missing params. The sandbox names the field. */
  ILLEGAL_DATA: { code: -401, message: 'Dữ liệu yêu cầu không hợp lệ (ILLEGAL_DATA_REQUEST)' },
  /** -402 ILLEGAL_APP/SIGNATURE_REQUEST, for an unknown app_id... */
  ILLEGAL_APP: { code: -402, message: 'Ứng dụng không hợp lệ (ILLEGAL_APP_REQUEST)' },
  /** ...and for a MAC that does not verify. */
  BAD_MAC: { code: -402, message: 'Chữ ký không hợp lệ (ILLEGAL_SIGNATURE_REQUEST)' },
  /** -54 TIME_INVALID: the order expired unpaid. */
  EXPIRED: { code: -54, message: 'Giao dịch hết hạn (TIME_INVALID)' },
  /** -329: user cancelled the payment (spec sub code list). */
  USER_CANCELLED: { code: -329, message: 'User huỷ giao dịch thanh toán.' },
  /** -301: generic payment failure (spec sub code list) [INFERENCE: used for any declined payment]. */
  PAYMENT_FAILED: { code: -301, message: 'Hệ thống đang có lỗi. Vui lòng thử lại sau.' },
  /** [INFERENCE] unknown app_trans_id / zp_trans_id / m_refund_id: ZaloPay publishes no code. */
  NOT_FOUND: { code: -401, message: 'Giao dịch không tồn tại' },
  /** [INFERENCE] refund above what is left of the paid amount. */
  OVER_REFUND: { code: -401, message: 'Số tiền hoàn vượt quá số tiền còn lại của giao dịch' },
  /** [INFERENCE] refund of an order that is not paid. */
  NOT_REFUNDABLE: { code: -401, message: 'Giao dịch chưa thanh toán thành công, không thể hoàn tiền' },
  /** [INFERENCE] sub code while an order or refund is still processing. */
  PROCESSING: { code: 3, message: PROCESSING_MESSAGE },
  SYSTEM_ERROR: { code: -500, message: 'SYSTEM_ERROR' },
  LIMIT: { code: -429, message: 'LIMIT_REQUEST_REACH' },
} as const

export type Sub = { readonly code: number; readonly message: string }

export function success(fields: Record<string, unknown> = {}, message = SUCCESS_MESSAGE): Reply {
  return { return_code: 1, return_message: message, sub_return_code: 1, sub_return_message: message, ...fields }
}

/** return_code 2; `detail` (e.g. which field was wrong) is appended to sub_return_message. */
export function failure(sub: Sub, detail?: string, fields: Record<string, unknown> = {}): Reply {
  const message = detail ? `${sub.message}: ${detail}` : sub.message
  return { return_code: 2, return_message: FAIL_MESSAGE, sub_return_code: sub.code, sub_return_message: message, ...fields }
}

export function processing(fields: Record<string, unknown> = {}): Reply {
  return {
    return_code: 3,
    return_message: PROCESSING_MESSAGE,
    sub_return_code: SUB.PROCESSING.code,
    sub_return_message: SUB.PROCESSING.message,
    ...fields,
  }
}
