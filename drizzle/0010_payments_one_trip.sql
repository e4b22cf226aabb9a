-- Reserved for the one-round-trip work of issue 13; replaced by the context that owns it.
SELECT 1;
