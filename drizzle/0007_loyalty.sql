CREATE TABLE "paypay_cashback_reversals" (
	"merchant_cashback_reversal_id" text PRIMARY KEY NOT NULL,
	"merchant_cashback_id" text NOT NULL,
	"user_id" text NOT NULL,
	"amount" integer NOT NULL,
	"reversed_amount" integer,
	"status" text NOT NULL,
	"reason" text,
	"request_key" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_token" text,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"failure_code" text,
	"paypay_reversal_id" text,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "paypay_cashback_reversals_status_chk" CHECK ("paypay_cashback_reversals"."status" in ('requested', 'accepted', 'succeeded', 'failed')),
	CONSTRAINT "paypay_cashback_reversals_amount_chk" CHECK ("paypay_cashback_reversals"."amount" > 0 and ("paypay_cashback_reversals"."reversed_amount" is null or ("paypay_cashback_reversals"."reversed_amount" >= 0 and "paypay_cashback_reversals"."reversed_amount" <= "paypay_cashback_reversals"."amount"))),
	CONSTRAINT "paypay_cashback_reversals_succeeded_chk" CHECK (("paypay_cashback_reversals"."status" = 'succeeded') = ("paypay_cashback_reversals"."reversed_amount" is not null))
);
--> statement-breakpoint
CREATE TABLE "paypay_cashbacks" (
	"merchant_cashback_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"user_authorization_id" text NOT NULL,
	"points" integer NOT NULL,
	"amount" integer NOT NULL,
	"currency" text DEFAULT 'JPY' NOT NULL,
	"status" text NOT NULL,
	"request_key" text,
	"give_attempts" integer DEFAULT 0 NOT NULL,
	"lease_token" text,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"failure_code" text,
	"paypay_cashback_id" text,
	"reversal_reserved" integer DEFAULT 0 NOT NULL,
	"reversed_amount" integer DEFAULT 0 NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "paypay_cashbacks_status_chk" CHECK ("paypay_cashbacks"."status" in ('requested', 'accepted', 'succeeded', 'failed')),
	CONSTRAINT "paypay_cashbacks_amount_chk" CHECK ("paypay_cashbacks"."points" > 0 and "paypay_cashbacks"."amount" > 0),
	CONSTRAINT "paypay_cashbacks_currency_chk" CHECK ("paypay_cashbacks"."currency" = 'JPY'),
	CONSTRAINT "paypay_cashbacks_reversal_chk" CHECK ("paypay_cashbacks"."reversal_reserved" >= 0 and "paypay_cashbacks"."reversal_reserved" <= "paypay_cashbacks"."amount" and "paypay_cashbacks"."reversed_amount" >= 0 and "paypay_cashbacks"."reversed_amount" <= "paypay_cashbacks"."reversal_reserved" and ("paypay_cashbacks"."reversal_reserved" = 0 or "paypay_cashbacks"."status" = 'succeeded'))
);
--> statement-breakpoint
CREATE TABLE "paypay_history_files" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"business_date" text NOT NULL,
	"object_key" text NOT NULL,
	"row_count" integer NOT NULL,
	"sha256" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "paypay_history_files_source_chk" CHECK ("paypay_history_files"."source" in ('ours', 'paypay')),
	CONSTRAINT "paypay_history_files_date_chk" CHECK ("paypay_history_files"."business_date" ~ '^\d{4}-\d{2}-\d{2}$')
);
--> statement-breakpoint
CREATE TABLE "paypay_link_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"nonce" text NOT NULL,
	"status" text NOT NULL,
	"link_url" text,
	"user_authorization_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "paypay_link_sessions_status_chk" CHECK ("paypay_link_sessions"."status" in ('pending', 'linked', 'declined', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "paypay_links" (
	"user_id" text PRIMARY KEY NOT NULL,
	"user_authorization_id" text NOT NULL,
	"status" text NOT NULL,
	"profile_identifier" text,
	"expires_at" timestamp with time zone,
	"linked_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "paypay_links_status_chk" CHECK ("paypay_links"."status" in ('linked', 'unlinked', 'expired', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE "points_accounts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_accounts_balance_chk" CHECK ("points_accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "points_ledger" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"points" integer NOT NULL,
	"balance_after" integer NOT NULL,
	"idempotency_key" text NOT NULL,
	"reference_type" text,
	"reference_id" text,
	"reason" text,
	"actor" text NOT NULL,
	"request_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "points_ledger_kind_chk" CHECK ("points_ledger"."kind" in ('earn', 'exchange_debit', 'refund_credit', 'reversal_credit', 'adjustment')),
	CONSTRAINT "points_ledger_sign_chk" CHECK ("points_ledger"."points" <> 0 and ("points_ledger"."kind" = 'adjustment' or ("points_ledger"."kind" = 'exchange_debit') = ("points_ledger"."points" < 0))),
	CONSTRAINT "points_ledger_balance_chk" CHECK ("points_ledger"."balance_after" >= 0)
);
--> statement-breakpoint
ALTER TABLE "paypay_cashback_reversals" ADD CONSTRAINT "paypay_cashback_reversals_merchant_cashback_id_paypay_cashbacks_merchant_cashback_id_fk" FOREIGN KEY ("merchant_cashback_id") REFERENCES "public"."paypay_cashbacks"("merchant_cashback_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "paypay_cashback_reversals_request_key_uq" ON "paypay_cashback_reversals" USING btree ("merchant_cashback_id","request_key");--> statement-breakpoint
CREATE INDEX "paypay_cashback_reversals_cashback_idx" ON "paypay_cashback_reversals" USING btree ("merchant_cashback_id");--> statement-breakpoint
CREATE INDEX "paypay_cashback_reversals_requested_idx" ON "paypay_cashback_reversals" USING btree ("requested_at");--> statement-breakpoint
CREATE INDEX "paypay_cashback_reversals_open_idx" ON "paypay_cashback_reversals" USING btree ("status","requested_at") WHERE "paypay_cashback_reversals"."status" in ('requested', 'accepted');--> statement-breakpoint
CREATE UNIQUE INDEX "paypay_cashbacks_request_key_uq" ON "paypay_cashbacks" USING btree ("user_id","request_key");--> statement-breakpoint
CREATE INDEX "paypay_cashbacks_user_idx" ON "paypay_cashbacks" USING btree ("user_id","merchant_cashback_id");--> statement-breakpoint
CREATE INDEX "paypay_cashbacks_requested_idx" ON "paypay_cashbacks" USING btree ("requested_at");--> statement-breakpoint
CREATE INDEX "paypay_cashbacks_open_idx" ON "paypay_cashbacks" USING btree ("status","requested_at") WHERE "paypay_cashbacks"."status" in ('requested', 'accepted');--> statement-breakpoint
CREATE UNIQUE INDEX "paypay_history_files_day_uq" ON "paypay_history_files" USING btree ("source","business_date");--> statement-breakpoint
CREATE UNIQUE INDEX "paypay_history_files_key_uq" ON "paypay_history_files" USING btree ("object_key");--> statement-breakpoint
CREATE INDEX "paypay_link_sessions_user_idx" ON "paypay_link_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "paypay_links_authorization_idx" ON "paypay_links" USING btree ("user_authorization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "points_ledger_idempotency_key_uq" ON "points_ledger" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "points_ledger_user_idx" ON "points_ledger" USING btree ("user_id","id");