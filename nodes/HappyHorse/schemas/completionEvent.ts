import { z } from 'zod';

import type { TaskStatus } from './task';
import { FINAL_STATUSES, TASK_STATUSES } from './task';
import { taskIdSchema } from './taskId';

/**
 * The "task finished" event Model Studio puts on EventBridge, as an HTTP target receives it with
 * Body = complete event: a CloudEvents envelope whose `data` names the task (docs/API.md,
 * "Completion events"). Only `data.task_id` is trusted: the status and the video come from the
 * API's own answer to one query.
 */
const EVENT_SOURCE = 'acs.dashscope';
const EVENT_TYPE = 'dashscope:System:AsyncTaskFinish';

/**
 * The largest delivery read. The documented event is under 1 KB; a few KB of extra fields are
 * fine, a megabyte is not an event (docs/API.md, "Completion events").
 */
export const EVENT_BODY_MAX_BYTES = 64 * 1024;

/** Every HappyHorse model id starts so (docs/API.md, "Models"). */
const HAPPY_HORSE_MODEL_PREFIX = 'happyhorse-';

const eventSchema = z.object({
	id: z.string().min(1).max(256),
	source: z.string(),
	type: z.string(),
	time: z.string().max(64).optional(),
	aliyunregionid: z.string().max(64).optional(),
	data: z.object({
		task_id: taskIdSchema,
		task_status: z.string().max(64),
		user_api_unique_key: z.string().max(512),
		region: z.string().max(64).optional(),
	}),
});

export interface CompletionEvent {
	id: string;
	time?: string;
	region?: string;
	taskId: string;
	/** What the event says; only used to skip statuses the user did not choose. */
	reportedStatus: string;
	/** The last segment of `data.user_api_unique_key` (`apikey:version:group:task:function-call:model`). */
	model: string;
}

export type ParsedEvent =
	| { kind: 'event'; event: CompletionEvent }
	/** Another source or type: nothing of this node. */
	| { kind: 'foreign' }
	| { kind: 'invalid'; problem: string };

/** Reads a delivery's JSON body as a completion event. */
export function parseCompletionEvent(body: unknown): ParsedEvent {
	const envelope = z.object({ source: z.unknown(), type: z.unknown() }).safeParse(body);
	if (
		envelope.success &&
		(envelope.data.source !== EVENT_SOURCE || envelope.data.type !== EVENT_TYPE) &&
		typeof envelope.data.source === 'string' &&
		typeof envelope.data.type === 'string'
	) {
		return { kind: 'foreign' };
	}
	const parsed = eventSchema.safeParse(body);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue.path.length > 0 ? issue.path.join('.') : 'the body';
		return { kind: 'invalid', problem: `${where}: ${issue.message}` };
	}
	const { id, time, aliyunregionid, data } = parsed.data;
	const segments = data.user_api_unique_key.split(':');
	return {
		kind: 'event',
		event: {
			id,
			time,
			region: data.region ?? aliyunregionid,
			taskId: data.task_id,
			reportedStatus: data.task_status.toUpperCase(),
			model: segments[segments.length - 1] ?? '',
		},
	};
}

export function isHappyHorseModel(model: string): boolean {
	return model.startsWith(HAPPY_HORSE_MODEL_PREFIX);
}

/** The final statuses an event can report, which the trigger lets the user choose from. */
export const EVENT_STATUSES: readonly TaskStatus[] = TASK_STATUSES.filter((status) =>
	FINAL_STATUSES.has(status),
);
