ALTER TABLE `jobs` ADD `last_seq` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `idempotency_key` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `request_hash` text;--> statement-breakpoint
CREATE INDEX `jobs_user_status` ON `jobs` (`user_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_user_idempotency` ON `jobs` (`user_id`,`idempotency_key`);