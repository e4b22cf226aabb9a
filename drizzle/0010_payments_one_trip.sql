-- Issue 13: each payments unit of work in one statement. The decisions (paid, flagged, failed,
-- late payment committed or refunded, refund accepted or refused) are taken in TypeScript on a
-- snapshot read without locks; these functions apply them with guards that re-check, under the
-- row locks, the facts the decision was taken on. A failed guard raises EPSET inside an inner
-- block (a subtransaction), so nothing of the unit survives, and the caller re-reads and decides
-- again. Row locks live only for the microseconds the function runs inside the database.

-- Settles a verified charge (seed 004 §1 steps 15-20): payment status, order status, the order's
-- reservations committed (an active one moves its units from reserved to sold; a late one takes
-- units nobody holds), the automatic refund of a payment that cannot be fulfilled, audit rows and
-- outbox rows. Locks in the order payment -> order -> variants (by id) -> reservations, the same
-- variant-then-reservation order as the inventory functions. Returns 'applied' or 'conflict'.
CREATE OR REPLACE FUNCTION payments_settle_charge(p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := (p->>'now')::timestamptz;
  v_pay jsonb := p->'payment';
  v_order jsonb := nullif(p->'order', 'null'::jsonb);
  v_stock jsonb := nullif(p->'stock', 'null'::jsonb);
  v_refund jsonb := nullif(p->'refund', 'null'::jsonb);
  v_line jsonb;
  v_qty integer;
BEGIN
  BEGIN
    UPDATE payments SET
      status = v_pay->>'to',
      updated_at = v_now,
      review_reason = coalesce(v_pay->>'review_reason', review_reason),
      gateway_transaction_id = coalesce(v_pay->>'gateway_transaction_id', gateway_transaction_id),
      paid_at = coalesce((v_pay->>'paid_at')::timestamptz, paid_at)
    WHERE id = v_pay->>'id' AND status = v_pay->>'from';
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'EPSET', MESSAGE = 'payment moved';
    END IF;

    IF v_order IS NOT NULL THEN
      UPDATE orders SET status = v_order->>'to', updated_at = v_now
      WHERE id = v_order->>'id' AND status = v_order->>'from';
      IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'EPSET', MESSAGE = 'order moved';
      END IF;
    END IF;

    IF v_stock IS NOT NULL THEN
      PERFORM 1 FROM product_variants
        WHERE id IN (SELECT l->>'variant_id' FROM jsonb_array_elements(v_stock->'lines') l)
        ORDER BY id FOR UPDATE;
      FOR v_line IN SELECT l FROM jsonb_array_elements(v_stock->'lines') l ORDER BY l->>'variant_id' LOOP
        v_qty := (v_line->>'quantity')::integer;
        UPDATE reservations SET status = 'committed', released_at = v_now
        WHERE order_id = v_stock->>'order_id' AND variant_id = v_line->>'variant_id'
          AND status = v_line->>'from' AND quantity = v_qty;
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'EPSET', MESSAGE = 'reservation moved';
        END IF;
        IF v_line->>'from' = 'active' THEN
          UPDATE product_variants
          SET stock = stock - v_qty, reserved = reserved - v_qty, version = version + 1, updated_at = v_now
          WHERE id = v_line->>'variant_id';
        ELSE
          UPDATE product_variants SET stock = stock - v_qty, version = version + 1, updated_at = v_now
          WHERE id = v_line->>'variant_id' AND stock - reserved >= v_qty;
          IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'EPSET', MESSAGE = 'stock gone';
          END IF;
        END IF;
      END LOOP;
    END IF;

    IF v_refund IS NOT NULL THEN
      INSERT INTO refunds (id, payment_id, amount, currency, reason, status, requested_by, created_at, updated_at)
      VALUES (v_refund->>'id', v_pay->>'id', (v_refund->>'amount')::integer, v_refund->>'currency',
              v_refund->>'reason', 'requested', v_refund->>'requested_by', v_now, v_now);
    END IF;

    PERFORM payments_write_audits_and_jobs(p->'audits', p->'jobs', v_now);
  EXCEPTION WHEN SQLSTATE 'EPSET' THEN
    RETURN 'conflict';
  END;
  RETURN 'applied';
END;
$$;
--> statement-breakpoint

-- Audit rows ([{actor, action, entity_type, entity_id, request_id, data, created_at}]) and outbox
-- rows ([{name, payload, deduplication_id}]) of a unit of work, inside the caller's statement.
CREATE OR REPLACE FUNCTION payments_write_audits_and_jobs(p_audits jsonb, p_jobs jsonb, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (actor, action, entity_type, entity_id, request_id, data, created_at)
  SELECT a->>'actor', a->>'action', a->>'entity_type', a->>'entity_id', a->>'request_id',
         nullif(a->'data', 'null'::jsonb), (a->>'created_at')::timestamptz
  FROM jsonb_array_elements(coalesce(p_audits, '[]'::jsonb)) a;
  INSERT INTO outbox (job_name, payload, deduplication_id, created_at)
  SELECT j->>'name', j->'payload', j->>'deduplication_id', p_now
  FROM jsonb_array_elements(coalesce(p_jobs, '[]'::jsonb)) j
  ON CONFLICT DO NOTHING;
END;
$$;
--> statement-breakpoint

-- What recording a gateway's answer to a refund decides on: the refund, its payment, the order,
-- and what the payment's other refunds in `p_accepted` statuses add up to.
CREATE OR REPLACE FUNCTION payments_refund_state(p_refund text, p_accepted text[]) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'refund', to_jsonb(r), 'payment', to_jsonb(p), 'order_id', o.id, 'order_status', o.status,
    'accepted_others', (SELECT coalesce(sum(x.amount), 0) FROM refunds x
                         WHERE x.payment_id = r.payment_id AND x.id <> r.id AND x.status = ANY (p_accepted)))
  FROM refunds r JOIN payments p ON p.id = r.payment_id LEFT JOIN orders o ON o.id = p.order_id
  WHERE r.id = p_refund
$$;
--> statement-breakpoint

-- Holds a refund (seed 004 §2 steps 3-6) before the gateway is called: under the payment's row
-- lock, so racing refunds see each other, it is inserted as `requested` when the payment is in one
-- of `refundable_from`, in `currency` (if given) and has `amount` left once the refunds in `holds`
-- are counted. A refund with this id already there (a retried request) is answered as existing.
-- The rules' lists come from the TypeScript state machines; the caller tells the refusals apart.
CREATE OR REPLACE FUNCTION payments_hold_refund(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_pay payments%ROWTYPE;
  v_id text := p->>'id';
  v_amount integer := (p->>'amount')::integer;
  v_now timestamptz := (p->>'now')::timestamptz;
  v_refundable integer;
  v_outcome text := 'refused';
BEGIN
  SELECT * INTO v_pay FROM payments WHERE id = p->>'payment_id' FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('payment', NULL);
  END IF;
  IF EXISTS (SELECT 1 FROM refunds WHERE id = v_id AND payment_id = v_pay.id) THEN
    v_outcome := 'existing';
  ELSE
    SELECT v_pay.amount - coalesce(sum(amount), 0) INTO v_refundable FROM refunds
     WHERE payment_id = v_pay.id AND status IN (SELECT jsonb_array_elements_text(p->'holds'));
    IF v_pay.status IN (SELECT jsonb_array_elements_text(p->'refundable_from'))
       AND (p->>'currency' IS NULL OR p->>'currency' = v_pay.currency)
       AND v_amount <= v_refundable THEN
      INSERT INTO refunds (id, payment_id, amount, currency, reason, status, requested_by, created_at, updated_at)
      VALUES (v_id, v_pay.id, v_amount, v_pay.currency, p->>'reason', 'requested', p->>'requested_by', v_now, v_now);
      PERFORM payments_write_audits_and_jobs(p->'audits', '[]'::jsonb, v_now);
      v_outcome := 'held';
    END IF;
  END IF;
  RETURN jsonb_build_object(
    'payment', to_jsonb(v_pay), 'outcome', v_outcome, 'refundable', v_refundable,
    'state', payments_refund_state(v_id, ARRAY(SELECT jsonb_array_elements_text(p->'accepted'))));
END;
$$;
--> statement-breakpoint

-- Records the gateway's answer to a refund (seed 004 §2 steps 9-13) as decided in TypeScript:
-- the refund moved from the status it was decided on, and for an accepted one the payment's and
-- the order's refund status, guarded by the payment's status and its other accepted refunds' sum
-- (what decided partial or full). Audit and outbox rows with it. Returns {refund} or {conflict}.
CREATE OR REPLACE FUNCTION payments_record_refund(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := (p->>'now')::timestamptz;
  v_ref jsonb := p->'refund';
  v_pay jsonb := nullif(p->'payment', 'null'::jsonb);
  v_order jsonb := nullif(p->'order', 'null'::jsonb);
  v_status text;
  v_others integer;
BEGIN
  BEGIN
    IF v_pay IS NOT NULL THEN
      SELECT status INTO v_status FROM payments WHERE id = v_pay->>'id' FOR UPDATE;
      SELECT coalesce(sum(amount), 0) INTO v_others FROM refunds
       WHERE payment_id = v_pay->>'id' AND id <> v_ref->>'id'
         AND status IN (SELECT jsonb_array_elements_text(p->'accepted'));
      IF v_status IS DISTINCT FROM v_pay->>'from' OR v_others <> (v_pay->>'accepted_others')::integer THEN
        RAISE EXCEPTION USING ERRCODE = 'EPSET', MESSAGE = 'payment moved';
      END IF;
      IF v_pay->>'to' <> v_pay->>'from' THEN
        UPDATE payments SET status = v_pay->>'to', updated_at = v_now WHERE id = v_pay->>'id';
      END IF;
    END IF;
    UPDATE refunds SET
      status = v_ref->>'to',
      gateway_refund_id = coalesce(v_ref->>'gateway_refund_id', gateway_refund_id),
      failure_reason = coalesce(v_ref->>'failure_reason', failure_reason),
      updated_at = v_now
    WHERE id = v_ref->>'id' AND status = v_ref->>'from';
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'EPSET', MESSAGE = 'refund moved';
    END IF;
    IF v_order IS NOT NULL THEN
      UPDATE orders SET status = v_order->>'to', updated_at = v_now
      WHERE id = v_order->>'id' AND status = v_order->>'from';
      IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'EPSET', MESSAGE = 'order moved';
      END IF;
    END IF;
    PERFORM payments_write_audits_and_jobs(p->'audits', p->'jobs', v_now);
  EXCEPTION WHEN SQLSTATE 'EPSET' THEN
    RETURN jsonb_build_object('conflict', true);
  END;
  RETURN jsonb_build_object('refund', (SELECT to_jsonb(r) FROM refunds r WHERE r.id = v_ref->>'id'));
END;
$$;
