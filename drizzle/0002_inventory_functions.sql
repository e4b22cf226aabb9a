-- Reserves stock for every line of one order, all or nothing, in a single round trip: the variant
-- rows are locked (SELECT ... FOR UPDATE, in id order so concurrent orders cannot deadlock on each
-- other) only for the few microseconds the function runs inside the database, never across a
-- network round trip. Expired reservations of each variant are released first, so availability
-- never waits for the clean-up job. A line that cannot be reserved undoes the earlier lines (the
-- inner block is a subtransaction) and is reported; nothing is raised to the caller.
-- Reserving again for an order that already holds a variant changes nothing (idempotent).
CREATE OR REPLACE FUNCTION inventory_reserve(
  p_order text,
  p_variants text[],
  p_quantities integer[],
  p_until timestamptz,
  p_now timestamptz
) RETURNS TABLE (reserved boolean, failed_variant text, available integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_id text;
  v_qty integer;
  v_stock integer;
  v_reserved integer;
  v_expired integer;
BEGIN
  IF coalesce(array_length(p_variants, 1), 0) <> coalesce(array_length(p_quantities, 1), 0) THEN
    RAISE EXCEPTION 'inventory_reserve: % variants but % quantities',
      array_length(p_variants, 1), array_length(p_quantities, 1);
  END IF;
  BEGIN
    FOR v_id, v_qty IN
      SELECT u.v, u.q FROM unnest(p_variants, p_quantities) AS u(v, q) ORDER BY u.v
    LOOP
      IF v_qty IS NULL OR v_qty <= 0 THEN
        RAISE EXCEPTION 'inventory_reserve: quantity for % must be positive', v_id;
      END IF;
      SELECT pv.stock, pv.reserved INTO v_stock, v_reserved
        FROM product_variants pv WHERE pv.id = v_id FOR UPDATE;
      IF NOT FOUND THEN
        failed_variant := v_id;
        available := 0;
        RAISE EXCEPTION USING ERRCODE = 'EPINV', MESSAGE = 'unknown variant';
      END IF;

      -- Rows a concurrent commit or release holds are skipped: it settles them itself.
      WITH due AS (
        UPDATE reservations r SET status = 'expired', released_at = p_now
        WHERE (r.order_id, r.variant_id) IN (
          SELECT x.order_id, x.variant_id FROM reservations x
          WHERE x.variant_id = v_id AND x.status = 'active' AND x.reserved_until <= p_now
          FOR UPDATE SKIP LOCKED)
        RETURNING r.quantity
      )
      SELECT coalesce(sum(due.quantity), 0)::integer INTO v_expired FROM due;
      IF v_expired > 0 THEN
        v_reserved := v_reserved - v_expired;
        UPDATE product_variants SET reserved = v_reserved WHERE id = v_id;
      END IF;

      IF EXISTS (
        SELECT 1 FROM reservations x
        WHERE x.order_id = p_order AND x.variant_id = v_id AND x.status IN ('active', 'committed')
      ) THEN
        CONTINUE;
      END IF;

      IF v_stock - v_reserved < v_qty THEN
        failed_variant := v_id;
        available := greatest(v_stock - v_reserved, 0);
        RAISE EXCEPTION USING ERRCODE = 'EPINV', MESSAGE = 'insufficient stock';
      END IF;

      UPDATE product_variants SET reserved = v_reserved + v_qty, updated_at = p_now WHERE id = v_id;
      INSERT INTO reservations (order_id, variant_id, quantity, reserved_until, status, released_at, created_at)
        VALUES (p_order, v_id, v_qty, p_until, 'active', NULL, p_now)
      ON CONFLICT (order_id, variant_id) DO UPDATE
        SET quantity = excluded.quantity, reserved_until = excluded.reserved_until,
            status = 'active', released_at = NULL, created_at = excluded.created_at;
    END LOOP;
  EXCEPTION WHEN SQLSTATE 'EPINV' THEN
    reserved := false;
    RETURN NEXT;
    RETURN;
  END;
  reserved := true;
  failed_variant := NULL;
  available := NULL;
  RETURN NEXT;
END;
$$;
