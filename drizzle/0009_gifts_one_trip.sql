-- Gift redemption in one read and one guarded write (issue 13) needs no schema change of its own:
-- both are single statements in src/gifts/adapters/drizzle-redemption-store.ts (a join, and a
-- data-modifying CTE that marks the gift used WHERE gift_status = 0 and inserts the audit row from
-- its RETURNING).
--
-- Issue 14 item 4: supplier PINs are stored as HMAC-SHA256(pepper, supplier code + PIN), keyed
-- with a secret pepper held only in Worker secrets (GIFT_PIN_PEPPER). The id of the pepper a hash
-- was made with sits beside it, so peppers can be rotated; NULL marks a row still in the old
-- salted PBKDF2 form, which is verified the old way and rewritten on its next successful use.
ALTER TABLE "supplier_accounts" ADD COLUMN "supplier_account_secret_key_id" text;
