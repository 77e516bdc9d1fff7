import { z } from 'zod';

import {
	apiTimeSchema,
	lenientText,
	progressSchema,
	statusSchema,
	usageSchema,
} from './answerFields';
import type { TaskStatus } from './task';
import { taskIdSchema } from './taskId';

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

export const anyfastSubmitResponseSchema = z
	.object({
		id: taskIdSchema.optional(),
		task_id: taskIdSchema.optional(),
		status: lenientText,
	})
	.refine((body) => Boolean(body.task_id || body.id), { message: 'no task_id in the answer' });

export const anyfastTaskResponseSchema = z.object({
	code: lenientText,
	message: lenientText,
	data: z.object({
		task_id: taskIdSchema,
		status: statusSchema(ANYFAST_STATUS_MAP),
		result_url: z.string().nullish().catch(undefined),
		fail_reason: lenientText,
		submit_time: apiTimeSchema,
		start_time: apiTimeSchema,
		finish_time: apiTimeSchema,
		progress: progressSchema,
		data: z
			.object({
				output: z.record(z.unknown()).nullish().catch(undefined),
				usage: usageSchema,
			})
			.passthrough()
			.nullish()
			.catch(undefined),
	}),
});

/** new-api answers errors either OpenAI-style or in its task envelope. */
export const anyfastErrorBodySchema = z.union([
	z.object({
		error: z.object({
			message: lenientText,
			type: lenientText,
			code: lenientText,
		}),
	}),
	z.object({ code: lenientText, message: lenientText }),
]);
