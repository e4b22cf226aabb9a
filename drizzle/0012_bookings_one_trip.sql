-- Bookings (seed 003): the units of work whose guards read other rows than the one they write, each
-- one function call (one statement, one round trip; the locks live only inside it). Plain guarded
-- moves are data-modifying CTEs in the adapters (src/bookings/adapters). Issue 13.

-- An audit entry as the adapters send it: {actor, action, entity_type, entity_id, request_id, data, created_at}.
CREATE OR REPLACE FUNCTION bookings_audit(a jsonb) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO audit_log (actor, action, entity_type, entity_id, request_id, data, created_at)
  VALUES (a->>'actor', a->>'action', a->>'entity_type', a->>'entity_id', a->>'request_id',
          nullif(a->'data', 'null'::jsonb), (a->>'created_at')::timestamptz)
$$;
--> statement-breakpoint

-- PENDING -> p_to with all the booking's nights on the calendar, or nothing: a night another booking
-- holds rolls the nights back (the inner block) and is reported. A booking no longer PENDING is
-- answered as it is. {ok, booking} | {ok: false, taken}; null when the booking does not exist.
CREATE OR REPLACE FUNCTION bookings_block_nights(p_booking_id text, p_to text, p_at timestamptz, p_audit jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  b bookings;
  taken text[];
BEGIN
  SELECT * INTO b FROM bookings WHERE id = p_booking_id FOR UPDATE;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF b.status <> 'PENDING' THEN RETURN jsonb_build_object('ok', true, 'booking', to_jsonb(b)); END IF;
  BEGIN
    INSERT INTO property_nights (property_id, night, booking_id, created_at)
      SELECT b.property_id, n, b.id, p_at FROM unnest(b.nights) AS n
      ON CONFLICT DO NOTHING;
    -- A new snapshot: nights a concurrent booking committed while this insert waited are seen.
    SELECT coalesce(array_agg(pn.night::text ORDER BY pn.night), '{}') INTO taken
      FROM property_nights pn
      WHERE pn.property_id = b.property_id AND pn.night = any(b.nights) AND pn.booking_id <> b.id;
    IF cardinality(taken) > 0 THEN
      RAISE EXCEPTION 'nights taken' USING ERRCODE = 'BK001';
    END IF;
  EXCEPTION WHEN SQLSTATE 'BK001' THEN
    RETURN jsonb_build_object('ok', false, 'taken', to_jsonb(taken));
  END;
  UPDATE bookings SET status = p_to, updated_at = p_at WHERE id = b.id RETURNING * INTO b;
  PERFORM bookings_audit(jsonb_set(p_audit, '{data}',
    coalesce(nullif(p_audit->'data', 'null'::jsonb), '{}'::jsonb) || jsonb_build_object('nights', to_jsonb(b.nights))));
  RETURN jsonb_build_object('ok', true, 'booking', to_jsonb(b));
END
$$;
--> statement-breakpoint

-- AWARDED -> p_to only while no payment session of the award is open or paid. The award row is
-- locked first: opening a payment takes the same lock, so the check below sees its session.
CREATE OR REPLACE FUNCTION bookings_lapse_award(p_award_id text, p_to text, p_at timestamptz, p_audit jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  w auction_awards;
BEGIN
  PERFORM 1 FROM auction_awards WHERE id = p_award_id AND status = 'AWARDED' FOR UPDATE;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF EXISTS (SELECT 1 FROM payment_sessions WHERE award_id = p_award_id AND status IN ('CREATED', 'PENDING', 'PAID')) THEN
    RETURN NULL;
  END IF;
  UPDATE auction_awards SET status = p_to, updated_at = p_at WHERE id = p_award_id RETURNING * INTO w;
  PERFORM bookings_audit(p_audit);
  RETURN to_jsonb(w);
END
$$;
--> statement-breakpoint

-- Stores a second-chance offer (an auction_awards row as jsonb) made to runner-up p_rank: the root
-- award locked, then guarded on no live claim of the root and the runner-up not yet offered.
CREATE OR REPLACE FUNCTION bookings_commit_offer(p_offer jsonb, p_rank int, p_audit jsonb) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  root text := p_offer->>'root_award_id';
BEGIN
  PERFORM 1 FROM auction_awards WHERE id = root FOR UPDATE;
  IF NOT FOUND THEN RETURN false; END IF;
  IF EXISTS (SELECT 1 FROM auction_awards WHERE root_award_id = root AND status IN ('OFFERED', 'AWARDED', 'PAID')) THEN
    RETURN false;
  END IF;
  UPDATE auction_runners_up SET offered_at = (p_offer->>'created_at')::timestamptz
    WHERE root_award_id = root AND rank = p_rank AND offered_at IS NULL;
  IF NOT FOUND THEN RETURN false; END IF;
  INSERT INTO auction_awards SELECT * FROM jsonb_populate_record(null::auction_awards, p_offer);
  PERFORM bookings_audit(p_audit);
  RETURN true;
END
$$;
