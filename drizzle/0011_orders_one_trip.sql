-- Issue 13: catalog reads, cart views and merges, and order placement each in one statement.
-- Reads are single SELECTs; writes are one function call whose guards make a concurrent change fail
-- cleanly. Row locks are taken inside the call only, never across a network round trip.

-- Every variant as the shop sees it at p_now. Availability ignores reservations whose time has
-- passed, released or not (the clean-up job may not have run yet). A STABLE SQL function of one
-- SELECT is inlined into its caller, so the caller's WHERE on id or product_id uses the indexes.
-- The one definition of a variant's view: catalog reads, cart views and order placement use it.
CREATE OR REPLACE FUNCTION variant_snapshots(p_now timestamptz)
RETURNS TABLE (
  id text, product_id text, sku text, name text, price_amount integer, currency text,
  stock integer, available integer, version integer, purchasable boolean
)
LANGUAGE sql STABLE AS $$
  SELECT v.id, v.product_id, v.sku, v.name, v.price_amount, v.currency, v.stock,
    (v.stock - v.reserved + coalesce((
      SELECT sum(r.quantity) FROM reservations r
      WHERE r.variant_id = v.id AND r.status = 'active' AND r.reserved_until <= p_now
    ), 0))::integer,
    v.version, p.status = 'active'
  FROM product_variants v JOIN products p ON p.id = v.product_id
$$;
--> statement-breakpoint
-- A user's cart: each line with its variant as of p_now (the cart view's one read).
CREATE OR REPLACE FUNCTION cart_view(p_user text, p_now timestamptz) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('quantity', c.quantity, 'variant', to_jsonb(s)) ORDER BY s.sku), '[]'::jsonb)
  FROM cart_items c JOIN variant_snapshots(p_now) s ON s.id = c.variant_id
  WHERE c.user_id = p_user
$$;
--> statement-breakpoint
-- Seed 004 §5 on login, in one statement. Claims (session, revision) first, so a retried or
-- concurrent login merges one revision of a guest cart at most once (the loser waits on the key,
-- then finds it taken). Then adds each guest line as carts/domain/cart.ts mergeLines specifies:
-- a line may hold what can be bought now, at most p_max (0 when its product is archived or the
-- variant is unknown); the guest's units are added up to that; the user's own quantity is never
-- lowered. Each line is one upsert that reads the current quantity under its row lock, so
-- concurrent writes to the same cart never lose units. Answers whether it merged, and the cart.
CREATE OR REPLACE FUNCTION cart_merge_guest(
  p_user text,
  p_session text,
  p_revision text,
  p_variants text[],
  p_quantities integer[],
  p_max integer,
  p_now timestamptz
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_merged boolean;
  v_id text;
  v_qty integer;
  v_cap integer;
BEGIN
  INSERT INTO cart_merges (session_id, revision, user_id, merged_at)
    VALUES (p_session, p_revision, p_user, p_now)
  ON CONFLICT DO NOTHING;
  v_merged := FOUND;
  IF v_merged THEN
    FOR v_id, v_qty, v_cap IN
      SELECT g.v, g.q, CASE WHEN s.purchasable THEN greatest(0, least(s.available, p_max)) ELSE 0 END
      FROM unnest(p_variants, p_quantities) AS g(v, q)
      LEFT JOIN variant_snapshots(p_now) s ON s.id = g.v
      WHERE g.q > 0
      ORDER BY g.v
    LOOP
      INSERT INTO cart_items AS c (user_id, variant_id, quantity, updated_at)
        SELECT p_user, v_id, least(v_qty, v_cap), p_now WHERE least(v_qty, v_cap) > 0
      ON CONFLICT (user_id, variant_id) DO UPDATE
        SET quantity = least(c.quantity + v_qty, v_cap), updated_at = p_now
        WHERE least(c.quantity + v_qty, v_cap) > c.quantity;
    END LOOP;
  END IF;
  RETURN jsonb_build_object('merged', v_merged, 'lines', cart_view(p_user, p_now));
END;
$$;
--> statement-breakpoint
-- What an order would be made of, read in one statement without locks: the given lines, or the
-- user's cart when none are given (p_variants null), and the variants they name as of p_now.
CREATE OR REPLACE FUNCTION order_snapshot(p_user text, p_variants text[], p_quantities integer[], p_now timestamptz)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  WITH wanted AS (
    SELECT u.variant_id, u.quantity, u.n
    FROM unnest(p_variants, p_quantities) WITH ORDINALITY AS u(variant_id, quantity, n)
    WHERE p_variants IS NOT NULL
    UNION ALL
    SELECT c.variant_id, c.quantity, row_number() OVER (ORDER BY c.variant_id)
    FROM cart_items c
    WHERE p_variants IS NULL AND c.user_id = p_user
  )
  SELECT jsonb_build_object(
    'lines', coalesce((
      SELECT jsonb_agg(jsonb_build_object('variant_id', w.variant_id, 'quantity', w.quantity) ORDER BY w.n) FROM wanted w
    ), '[]'::jsonb),
    'variants', coalesce((
      SELECT jsonb_agg(to_jsonb(s)) FROM variant_snapshots(p_now) s WHERE s.id IN (SELECT w.variant_id FROM wanted w)
    ), '[]'::jsonb)
  )
$$;
--> statement-breakpoint
-- Records an order awaiting payment with its priced lines and its audit entry. The total is the sum
-- of the lines; the audit entry's data gets the total, the currency and the number of lines.
-- p_lines: [{variant_id, sku, name, unit_amount, quantity, line_amount}];
-- p_audit: {actor, action, entity_type, entity_id, request_id, data?} (written at p_now).
CREATE OR REPLACE FUNCTION order_record(
  p_order text,
  p_user text,
  p_currency text,
  p_lines jsonb,
  p_until timestamptz,
  p_now timestamptz,
  p_audit jsonb
) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_total integer;
  v_count integer;
BEGIN
  SELECT coalesce(sum((l->>'line_amount')::integer), 0)::integer, count(*)::integer INTO v_total, v_count
    FROM jsonb_array_elements(p_lines) AS l;
  INSERT INTO orders (id, user_id, status, currency, total_amount, expires_at, created_at, updated_at)
    VALUES (p_order, p_user, 'awaiting_payment', p_currency, v_total, p_until, p_now, p_now);
  INSERT INTO order_lines (order_id, variant_id, sku, name, unit_amount, quantity, line_amount)
    SELECT p_order, l->>'variant_id', l->>'sku', l->>'name', (l->>'unit_amount')::integer,
      (l->>'quantity')::integer, (l->>'line_amount')::integer
    FROM jsonb_array_elements(p_lines) AS l;
  INSERT INTO audit_log (actor, action, entity_type, entity_id, request_id, data, created_at)
    VALUES (p_audit->>'actor', p_audit->>'action', p_audit->>'entity_type', p_audit->>'entity_id', p_audit->>'request_id',
      coalesce(nullif(p_audit->'data', 'null'::jsonb), '{}'::jsonb) || jsonb_build_object('total', v_total, 'currency', p_currency, 'lines', v_count),
      p_now);
  RETURN v_total;
END;
$$;
--> statement-breakpoint
-- Seed 004 §1 steps 1-4 in one statement (the Postgres inventory lock): read the lines and their
-- variants, check them, reserve every line or none (inventory_reserve, drizzle/0002), record the
-- order. The checks are orders/domain/pricing.ts priceOrder's rules as guards (at least one line,
-- every variant known and on sale, one currency), and the lines are priced as it prices them; the
-- caller runs priceOrder on the snapshot this returns and refuses to go on if the two disagree.
-- Answers the snapshot ({lines, variants}) with outcome 'refused' (nothing written),
-- 'out_of_stock' (nothing written; failed_variant, available) or 'placed' (total).
CREATE OR REPLACE FUNCTION order_place(
  p_order text,
  p_user text,
  p_variants text[],
  p_quantities integer[],
  p_until timestamptz,
  p_now timestamptz,
  p_audit jsonb
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_snap jsonb := order_snapshot(p_user, p_variants, p_quantities, p_now);
  v_ok boolean;
  v_currency text;
  v_lines jsonb;
  v_ids text[];
  v_qtys integer[];
  v_held record;
BEGIN
  SELECT count(*) > 0 AND count(*) = count(s.id) AND coalesce(bool_and(s.purchasable), false)
      AND count(DISTINCT s.currency) = 1,
    min(s.currency),
    jsonb_agg(jsonb_build_object('variant_id', l.variant_id, 'sku', s.sku, 'name', s.name, 'unit_amount', s.price_amount,
      'quantity', l.quantity, 'line_amount', s.price_amount * l.quantity)),
    array_agg(l.variant_id),
    array_agg(l.quantity)
  INTO v_ok, v_currency, v_lines, v_ids, v_qtys
  FROM jsonb_to_recordset(v_snap->'lines') AS l(variant_id text, quantity integer)
  LEFT JOIN jsonb_to_recordset(v_snap->'variants') AS s(id text, sku text, name text, price_amount integer, currency text, purchasable boolean)
    ON s.id = l.variant_id;
  IF NOT v_ok THEN
    RETURN v_snap || jsonb_build_object('outcome', 'refused');
  END IF;

  SELECT * INTO v_held FROM inventory_reserve(p_order, v_ids, v_qtys, p_until, p_now);
  IF NOT v_held.reserved THEN
    RETURN v_snap || jsonb_build_object('outcome', 'out_of_stock', 'failed_variant', v_held.failed_variant, 'available', v_held.available);
  END IF;

  RETURN v_snap || jsonb_build_object(
    'outcome', 'placed',
    'total', order_record(p_order, p_user, v_currency, v_lines, p_until, p_now, p_audit)
  );
END;
$$;
