CREATE TABLE "auction_awards" (
	"id" text PRIMARY KEY NOT NULL,
	"auction_id" text NOT NULL,
	"root_award_id" text NOT NULL,
	"kind" text NOT NULL,
	"user_id" text NOT NULL,
	"nights" date[] NOT NULL,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"payment_deadline" timestamp with time zone,
	"response_deadline" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "auction_awards_amount_chk" CHECK ("auction_awards"."amount" > 0),
	CONSTRAINT "auction_awards_nights_chk" CHECK (cardinality("auction_awards"."nights") >= 1)
);
--> statement-breakpoint
CREATE TABLE "auction_runners_up" (
	"root_award_id" text NOT NULL,
	"rank" integer NOT NULL,
	"user_id" text NOT NULL,
	"amount" integer NOT NULL,
	"offered_at" timestamp with time zone,
	CONSTRAINT "auction_runners_up_root_award_id_rank_pk" PRIMARY KEY("root_award_id","rank"),
	CONSTRAINT "auction_runners_up_amount_chk" CHECK ("auction_runners_up"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "auctions" (
	"id" text PRIMARY KEY NOT NULL,
	"property_id" text NOT NULL,
	"nights" date[] NOT NULL,
	"status" text NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "auctions_nights_chk" CHECK (cardinality("auctions"."nights") between 1 and 366)
);
--> statement-breakpoint
CREATE TABLE "booking_conversations" (
	"thread_id" text PRIMARY KEY NOT NULL,
	"booking_id" text NOT NULL,
	"guest_id" text NOT NULL,
	"host_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "booking_conversations_booking_id_unique" UNIQUE("booking_id")
);
--> statement-breakpoint
CREATE TABLE "booking_email_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"booking_id" text NOT NULL,
	"template" text NOT NULL,
	"recipient_user_id" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" text PRIMARY KEY NOT NULL,
	"reference_number" text NOT NULL,
	"property_id" text NOT NULL,
	"property_name" text NOT NULL,
	"user_id" text NOT NULL,
	"host_id" text NOT NULL,
	"payment_session_id" text,
	"nights" date[] NOT NULL,
	"check_in" date NOT NULL,
	"check_out" date NOT NULL,
	"guest_count" integer NOT NULL,
	"total_amount" integer NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"cancel_reason" text,
	"confirmed_pushed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bookings_reference_number_unique" UNIQUE("reference_number"),
	CONSTRAINT "bookings_payment_session_id_unique" UNIQUE("payment_session_id"),
	CONSTRAINT "bookings_dates_chk" CHECK ("bookings"."check_out" > "bookings"."check_in"),
	CONSTRAINT "bookings_amount_chk" CHECK ("bookings"."total_amount" >= 0),
	CONSTRAINT "bookings_guests_chk" CHECK ("bookings"."guest_count" >= 1)
);
--> statement-breakpoint
CREATE TABLE "payment_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"auction_id" text NOT NULL,
	"award_id" text NOT NULL,
	"user_id" text NOT NULL,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"nights" date[] NOT NULL,
	"guest_count" integer NOT NULL,
	"status" text NOT NULL,
	"app_trans_id" text NOT NULL,
	"app_time" bigint NOT NULL,
	"description" text NOT NULL,
	"order_url" text,
	"zp_trans_token" text,
	"transaction_id" text,
	"failure_reason" text,
	"paid_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_sessions_app_trans_id_unique" UNIQUE("app_trans_id"),
	CONSTRAINT "payment_sessions_transaction_id_unique" UNIQUE("transaction_id"),
	CONSTRAINT "payment_sessions_amount_chk" CHECK ("payment_sessions"."amount" > 0),
	CONSTRAINT "payment_sessions_paid_chk" CHECK (("payment_sessions"."status" = 'PAID') = ("payment_sessions"."paid_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "properties" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"host_id" text NOT NULL,
	"max_guests" integer NOT NULL,
	"nightly_rate" integer NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "properties_guests_chk" CHECK ("properties"."max_guests" between 1 and 100),
	CONSTRAINT "properties_rate_chk" CHECK ("properties"."nightly_rate" >= 0),
	CONSTRAINT "properties_currency_chk" CHECK ("properties"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "property_nights" (
	"property_id" text NOT NULL,
	"night" date NOT NULL,
	"booking_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "property_nights_property_id_night_pk" PRIMARY KEY("property_id","night")
);
--> statement-breakpoint
CREATE TABLE "zalopay_callbacks" (
	"app_trans_id" text NOT NULL,
	"zp_trans_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "zalopay_callbacks_app_trans_id_zp_trans_id_pk" PRIMARY KEY("app_trans_id","zp_trans_id")
);
--> statement-breakpoint
CREATE TABLE "zalopay_refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"payment_session_id" text NOT NULL,
	"booking_id" text,
	"m_refund_id" text,
	"zp_trans_id" text NOT NULL,
	"amount" integer NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"gateway_refund_id" text,
	"requested_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "zalopay_refunds_payment_session_id_unique" UNIQUE("payment_session_id"),
	CONSTRAINT "zalopay_refunds_m_refund_id_unique" UNIQUE("m_refund_id"),
	CONSTRAINT "zalopay_refunds_amount_chk" CHECK ("zalopay_refunds"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "auction_awards" ADD CONSTRAINT "auction_awards_auction_id_auctions_id_fk" FOREIGN KEY ("auction_id") REFERENCES "public"."auctions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auction_runners_up" ADD CONSTRAINT "auction_runners_up_root_award_id_auction_awards_id_fk" FOREIGN KEY ("root_award_id") REFERENCES "public"."auction_awards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auctions" ADD CONSTRAINT "auctions_property_id_properties_id_fk" FOREIGN KEY ("property_id") REFERENCES "public"."properties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_conversations" ADD CONSTRAINT "booking_conversations_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_email_outbox" ADD CONSTRAINT "booking_email_outbox_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_property_id_properties_id_fk" FOREIGN KEY ("property_id") REFERENCES "public"."properties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_sessions" ADD CONSTRAINT "payment_sessions_award_id_auction_awards_id_fk" FOREIGN KEY ("award_id") REFERENCES "public"."auction_awards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "property_nights" ADD CONSTRAINT "property_nights_property_id_properties_id_fk" FOREIGN KEY ("property_id") REFERENCES "public"."properties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "property_nights" ADD CONSTRAINT "property_nights_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zalopay_refunds" ADD CONSTRAINT "zalopay_refunds_payment_session_id_payment_sessions_id_fk" FOREIGN KEY ("payment_session_id") REFERENCES "public"."payment_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "auction_awards_user_idx" ON "auction_awards" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "auction_awards_auction_user_idx" ON "auction_awards" USING btree ("auction_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "auction_awards_one_live_claim_uq" ON "auction_awards" USING btree ("root_award_id") WHERE "auction_awards"."status" in ('OFFERED', 'AWARDED', 'PAID');--> statement-breakpoint
CREATE INDEX "auctions_property_idx" ON "auctions" USING btree ("property_id");--> statement-breakpoint
CREATE UNIQUE INDEX "booking_email_outbox_once_uq" ON "booking_email_outbox" USING btree ("booking_id","template");--> statement-breakpoint
CREATE INDEX "booking_email_outbox_pending_idx" ON "booking_email_outbox" USING btree ("created_at") WHERE "booking_email_outbox"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "bookings_user_idx" ON "bookings" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "bookings_pending_idx" ON "bookings" USING btree ("created_at") WHERE "bookings"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "payment_sessions_user_idx" ON "payment_sessions" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "payment_sessions_open_idx" ON "payment_sessions" USING btree ("created_at") WHERE "payment_sessions"."status" in ('CREATED', 'PENDING');--> statement-breakpoint
CREATE UNIQUE INDEX "payment_sessions_one_live_per_award_uq" ON "payment_sessions" USING btree ("award_id") WHERE "payment_sessions"."status" in ('CREATED', 'PENDING', 'PAID');--> statement-breakpoint
CREATE INDEX "property_nights_booking_idx" ON "property_nights" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "zalopay_refunds_open_idx" ON "zalopay_refunds" USING btree ("updated_at") WHERE "zalopay_refunds"."status" in ('PENDING', 'PROCESSING');