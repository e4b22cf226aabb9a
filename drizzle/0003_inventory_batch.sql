-- Reserves one variant for many orders in one round trip, first come first served: the batch a
-- Durable Object collects while its previous write was in flight. Each order gets its own answer;
-- the variant's stock and reservation count after the batch come back so the object's copy stays
-- exact. Same guards as inventory_reserve: the row lock, lazy expiry and the idempotent re-reserve.
CREATE OR REPLACE FUNCTION inventory_reserve_batch(
  p_variant text,
  p_orders text[],
  p_quantities integer[],
  p_until timestamptz[],
  p_now timestamptz
) RETURNS TABLE (r_order text, r_ok boolean, r_stock integer, r_reserved integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_stock integer;
  v_reserved integer;
  v_expired integer;
  v_ok boolean[] := '{}';
  i integer;
BEGIN
  SELECT pv.stock, pv.reserved INTO v_stock, v_reserved
    FROM product_variants pv WHERE pv.id = p_variant FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT o, false, 0, 0 FROM unnest(p_orders) AS o;
    RETURN;
  END IF;

  WITH due AS (
    UPDATE reservations r SET status = 'expired', released_at = p_now
    WHERE (r.order_id, r.variant_id) IN (
      SELECT x.order_id, x.variant_id FROM reservations x
      WHERE x.variant_id = p_variant AND x.status = 'active' AND x.reserved_until <= p_now
      FOR UPDATE SKIP LOCKED)
    RETURNING r.quantity
  )
  SELECT coalesce(sum(due.quantity), 0)::integer INTO v_expired FROM due;
  v_reserved := v_reserved - v_expired;

  FOR i IN 1 .. coalesce(array_length(p_orders, 1), 0) LOOP
    IF EXISTS (
      SELECT 1 FROM reservations x
      WHERE x.order_id = p_orders[i] AND x.variant_id = p_variant AND x.status IN ('active', 'committed')
    ) THEN
      v_ok := v_ok || true;
    ELSIF p_quantities[i] > 0 AND v_stock - v_reserved >= p_quantities[i] THEN
      v_reserved := v_reserved + p_quantities[i];
      INSERT INTO reservations (order_id, variant_id, quantity, reserved_until, status, released_at, created_at)
        VALUES (p_orders[i], p_variant, p_quantities[i], p_until[i], 'active', NULL, p_now)
      ON CONFLICT (order_id, variant_id) DO UPDATE
        SET quantity = excluded.quantity, reserved_until = excluded.reserved_until,
            status = 'active', released_at = NULL, created_at = excluded.created_at;
      v_ok := v_ok || true;
    ELSE
      v_ok := v_ok || false;
    END IF;
  END LOOP;

  UPDATE product_variants SET reserved = v_reserved, updated_at = p_now WHERE id = p_variant;
  RETURN QUERY SELECT p_orders[k], v_ok[k], v_stock, v_reserved
    FROM generate_subscripts(p_orders, 1) AS k;
END;
$$;
--> statement-breakpoint
-- Releases one variant's reservations of the given orders (a Durable Object owns one variant) and
-- returns what was released with the variant's counts afterwards.
CREATE OR REPLACE FUNCTION inventory_release_variant(
  p_variant text,
  p_orders text[],
  p_status text,
  p_now timestamptz
) RETURNS TABLE (r_released integer, r_stock integer, r_reserved integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer;
  v_quantity integer;
BEGIN
  IF p_status NOT IN ('released', 'expired') THEN
    RAISE EXCEPTION 'inventory_release_variant: status % is not a release', p_status;
  END IF;
  PERFORM 1 FROM product_variants WHERE id = p_variant FOR UPDATE;
  WITH gone AS (
    UPDATE reservations r SET status = p_status, released_at = p_now
    WHERE r.variant_id = p_variant AND r.order_id = ANY (p_orders) AND r.status = 'active'
    RETURNING r.quantity
  )
  SELECT count(*)::integer, coalesce(sum(gone.quantity), 0)::integer INTO v_count, v_quantity FROM gone;
  RETURN QUERY
    UPDATE product_variants pv SET reserved = pv.reserved - v_quantity, updated_at = p_now
    WHERE pv.id = p_variant
    RETURNING v_count, pv.stock, pv.reserved;
END;
$$;
