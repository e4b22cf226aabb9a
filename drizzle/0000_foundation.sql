CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"request_id" text NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gift_codes" (
	"gift_id" text PRIMARY KEY NOT NULL,
	"gift_status" smallint DEFAULT 0 NOT NULL,
	"gift_amount" integer NOT NULL,
	"gift_currency" text NOT NULL,
	"gift_valid_from" timestamp with time zone,
	"gift_valid_until" timestamp with time zone,
	"gift_used_datetime" timestamp with time zone,
	"used_supplier_code" text,
	"used_invoice_no" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gift_codes_status_chk" CHECK ("gift_codes"."gift_status" in (0, 1)),
	CONSTRAINT "gift_codes_used_consistent_chk" CHECK (("gift_codes"."gift_status" = 1) = ("gift_codes"."gift_used_datetime" is not null)),
	CONSTRAINT "gift_codes_amount_chk" CHECK ("gift_codes"."gift_amount" >= 0),
	CONSTRAINT "gift_codes_currency_chk" CHECK ("gift_codes"."gift_currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "supplier_accounts" (
	"supplier_account_id" text PRIMARY KEY NOT NULL,
	"supplier_account_invoice_no" text NOT NULL,
	"supplier_code" text NOT NULL,
	"supplier_account_name" text NOT NULL,
	"supplier_account_secret_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "supplier_accounts_supplier_account_invoice_no_unique" UNIQUE("supplier_account_invoice_no")
);
--> statement-breakpoint
CREATE TABLE "suppliers" (
	"supplier_code" text PRIMARY KEY NOT NULL,
	"supplier_name" text NOT NULL,
	"supplier_invoice_no" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suppliers_supplier_invoice_no_unique" UNIQUE("supplier_invoice_no")
);
--> statement-breakpoint
ALTER TABLE "gift_codes" ADD CONSTRAINT "gift_codes_used_supplier_code_suppliers_supplier_code_fk" FOREIGN KEY ("used_supplier_code") REFERENCES "public"."suppliers"("supplier_code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD CONSTRAINT "supplier_accounts_supplier_code_suppliers_supplier_code_fk" FOREIGN KEY ("supplier_code") REFERENCES "public"."suppliers"("supplier_code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "supplier_accounts_supplier_code_idx" ON "supplier_accounts" USING btree ("supplier_code");