CREATE TABLE "stored_files" (
	"key" text PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
