import { z } from 'zod';

import { apiTimeSchema, lenientText, statusSchema, usageSchema } from './answerFields';
import type { TaskStatus } from './task';
import { taskIdSchema } from './taskId';

/**
 * DashScope's answers (docs/API.md, "Native family"). Extra fields are tolerated everywhere;
 * only what the node reads is described.
 */

/** DashScope's statuses; the SDK's SUSPENDED is a task not started (docs/API.md, "Statuses"). */
const NATIVE_STATUSES: Record<string, TaskStatus> = {
	PENDING: 'PENDING',
	SUSPENDED: 'PENDING',
	RUNNING: 'RUNNING',
	SUCCEEDED: 'SUCCEEDED',
	FAILED: 'FAILED',
	CANCELED: 'CANCELED',
	UNKNOWN: 'UNKNOWN',
};

const nativeStatusSchema = statusSchema(NATIVE_STATUSES);

export const nativeSubmitResponseSchema = z.object({
	output: z.object({
		task_id: taskIdSchema,
		task_status: nativeStatusSchema.catch('PENDING'),
	}),
	request_id: lenientText,
});

export const nativeTaskResponseSchema = z.object({
	request_id: lenientText,
	output: z.object({
		task_id: taskIdSchema,
		task_status: nativeStatusSchema,
		submit_time: apiTimeSchema,
		scheduled_time: apiTimeSchema,
		end_time: apiTimeSchema,
		video_url: z.string().nullish().catch(undefined),
		code: lenientText,
		message: lenientText,
	}),
	usage: usageSchema,
});

export const nativeCancelResponseSchema = z.object({ request_id: lenientText });

export const nativeListResponseSchema = z.object({
	total: z.coerce.number().optional(),
	total_page: z.coerce.number().optional(),
	data: z
		.array(
			z
				.object({
					task_id: taskIdSchema,
					status: nativeStatusSchema.optional(),
					task_status: nativeStatusSchema.optional(),
					model_name: lenientText,
					gmt_create: apiTimeSchema,
					gmt_modified: apiTimeSchema,
				})
				.passthrough(),
		)
		.nullish(),
});

export const nativeErrorBodySchema = z.object({
	code: lenientText,
	message: lenientText,
	request_id: lenientText,
});
