-- Gift redemption in one read and one guarded write (issue 13) needs no schema change: both are
-- single statements in src/gifts/adapters/drizzle-redemption-store.ts (a join, and a data-modifying
-- CTE that marks the gift used WHERE gift_status = 0 and inserts the audit row from its RETURNING).
-- The lookups it makes are already indexed: gift_codes' primary key, the unique invoice numbers of
-- suppliers and supplier_accounts, and supplier_accounts_supplier_code_idx.
SELECT 1;
