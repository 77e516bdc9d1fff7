import { z } from 'zod';

import type { TaskStatus } from './task';

/** The Anyfast (new-api) gateway's answers (docs/API.md, "Anyfast family"). */

/** Anyfast's task vocabulary in the native one (docs/API.md, "Anyfast family"). */
const ANYFAST_STATUS_MAP: Record<string, TaskStatus> = {
	NOT_START: 'PENDING',
	SUBMITTED: 'PENDING',
	QUEUED: 'PENDING',
	IN_PROGRESS: 'RUNNING',
	SUCCESS: 'SUCCEEDED',
	FAILURE: 'FAILED',
	UNKNOWN: 'UNKNOWN',
};

const anyfastStatusSchema = z
	.string()
	.transform((status) => status.toUpperCase())
	.pipe(z.enum(Object.keys(ANYFAST_STATUS_MAP) as [string, ...string[]]))
	.transform((status) => ANYFAST_STATUS_MAP[status]);

export const anyfastSubmitResponseSchema = z
	.object({
		id: z.string().optional(),
		task_id: z.string().optional(),
		status: z.string().optional(),
	})
	.refine((body) => Boolean(body.task_id || body.id), { message: 'no task_id in the answer' });

const epochSeconds = z.number().nullish();

export const anyfastTaskResponseSchema = z.object({
	code: z.string().optional(),
	message: z.string().optional(),
	data: z.object({
		task_id: z.string().min(1),
		status: anyfastStatusSchema,
		result_url: z.string().nullish(),
		fail_reason: z.string().nullish(),
		submit_time: epochSeconds,
		start_time: epochSeconds,
		finish_time: epochSeconds,
		data: z
			.object({
				output: z.record(z.unknown()).nullish(),
				usage: z.record(z.unknown()).nullish(),
			})
			.passthrough()
			.nullish(),
	}),
});

/** new-api answers errors either OpenAI-style or in its task envelope. */
export const anyfastErrorBodySchema = z.union([
	z.object({
		error: z.object({
			message: z.string().optional(),
			type: z.string().optional(),
			code: z.union([z.string(), z.number()]).nullish(),
		}),
	}),
	z.object({ code: z.string().optional(), message: z.string().optional() }),
]);
