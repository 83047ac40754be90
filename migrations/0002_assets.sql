CREATE TABLE `assets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`parent_id` text,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer,
	`storage_key` text,
	`metadata` text,
	`workflow_id` text,
	`job_id` text,
	`node_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `assets_user_created` ON `assets` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `assets_user_parent` ON `assets` (`user_id`,`parent_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `assets_user_type` ON `assets` (`user_id`,`content_type`);