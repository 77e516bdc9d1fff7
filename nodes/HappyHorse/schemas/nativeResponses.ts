import { z } from 'zod';

import type { TaskStatus } from './task';

/**
 * DashScope's answers (docs/API.md, "Native family"). Extra fields are tolerated everywhere;
 * only what the node reads is described.
 */

export const nativeSubmitResponseSchema = z.object({
	output: z.object({
		task_id: z.string().min(1),
		task_status: z.string(),
	}),
	request_id: z.string().optional(),
});

export const nativeStatusSchema = z
	.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN', 'SUSPENDED'])
	.transform((status): TaskStatus => (status === 'SUSPENDED' ? 'PENDING' : status));

export const nativeTaskResponseSchema = z.object({
	request_id: z.string().optional(),
	output: z.object({
		task_id: z.string().min(1),
		task_status: nativeStatusSchema,
		submit_time: z.string().optional(),
		scheduled_time: z.string().optional(),
		end_time: z.string().optional(),
		video_url: z.string().optional(),
		code: z.string().optional(),
		message: z.string().optional(),
	}),
	usage: z.record(z.unknown()).optional(),
});

export const nativeCancelResponseSchema = z.object({ request_id: z.string().optional() });

export const nativeListResponseSchema = z.object({
	total: z.coerce.number().optional(),
	total_page: z.coerce.number().optional(),
	data: z
		.array(
			z
				.object({
					task_id: z.string(),
					status: z.string().optional(),
					task_status: z.string().optional(),
					model_name: z.string().optional(),
					gmt_create: z.string().optional(),
					gmt_modified: z.string().optional(),
				})
				.passthrough(),
		)
		.nullish(),
});

export const nativeErrorBodySchema = z.object({
	code: z.string().optional(),
	message: z.string().optional(),
	request_id: z.string().optional(),
});
