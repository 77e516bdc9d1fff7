import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { DEFAULT_MAX_VIDEO_SIZE_MB, MIB } from '../schemas/limits';
import type { Pricing } from '../schemas/prices';
import type { TaskSnapshot } from '../schemas/task';
import { taskIdProblem } from '../schemas/taskId';
import { typeNoun } from '../schemas/taskRequest';
import type { NodeContext } from '../transport/context';
import type { RunKind } from './runTimeMemory';

/** With the poll schedule's spread and learning (pollSchedule.ts): bench/polling.ts, docs/BENCHMARKS.md. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 30;
export const DEFAULT_TIMEOUT_SECONDS = 900;
export const DEFAULT_BINARY_PROPERTY = 'data';

/**
 * How long Get Task without Wait for Completion retries a failing API, from its first call. It
 * is a look, not a wait: a workflow (or an AI agent) calls it to know a task's status now. What
 * clears in seconds is still ridden out (a 429 of the account's one-second window, a dropped
 * connection, a 5xx blip: 4 to 5 attempts on transport/retry.ts's backoff of 1, 2, 4, 8 s);
 * anything longer is reported, so the workflow decides, instead of the call hanging for over a
 * minute on the eight attempts a read may take. docs/OPERATIONS.md, "Get Task".
 */
export const GET_TASK_RETRY_SECONDS = 15;

/** How one item is waited on and collected; read per item, since any of it may be an expression. */
export interface ItemSettings {
	waitForCompletion: boolean;
	downloadVideo: boolean;
	pollIntervalMs: number;
	timeoutMs: number;
	binaryPropertyName: string;
	/** The largest result download taken (Options → Max Video Size (MB)). */
	maxVideoBytes: number;
}

/** Settings of an item whose parameters could not be read: it is never waited on. */
export const SETTINGS_OF_INVALID_ITEM: ItemSettings = {
	waitForCompletion: false,
	downloadVideo: false,
	pollIntervalMs: 0,
	timeoutMs: 0,
	binaryPropertyName: DEFAULT_BINARY_PROPERTY,
	maxVideoBytes: 0,
};

/** One input item on its way through the stages: validate → submit → wait → download. */
export interface ItemState {
	itemIndex: number;
	settings: ItemSettings;
	taskId?: string;
	requestId?: string;
	snapshot?: TaskSnapshot;
	/** When the wait stage queries this task next (epoch ms). */
	nextPollAt?: number;
	/** Looks at the task since its status last changed: the backoff of the poll schedule. */
	checksSinceChange?: number;
	/** The last time (epoch ms) the task was seen PENDING: the earliest it can have started. */
	pendingSeenAt?: number;
	/** The first time (epoch ms) the task was seen RUNNING: the latest it can have started. */
	runningSeenAt?: number;
	/** When the gateway's progress was last read (epoch ms). */
	progressSeenAt?: number;
	/** What decides how long its task runs, for the run times remembered (runTimeMemory.ts). */
	runKind?: RunKind;
	/** When the wait stage gives up on this task (epoch ms). */
	deadline?: number;
	binary?: IBinaryData;
	/** Its task was created by this execution's submit (not read from a Task ID). */
	createdHere?: boolean;
	/** The stop came while its submit was under way: a task may exist that the node never saw. */
	stoppedDuringSubmit?: boolean;
	/** Set once the item has failed; later stages skip it. */
	error?: Error;
	/** What its task is expected to cost, made before anything is sent (pipeline/estimate.ts). */
	estimate?: IDataObject;
	/** How its seconds are priced, for the cost of what the API billed (pipeline/estimate.ts). */
	pricing?: Pricing;
	/** Options → Estimate Only: the body that would have been sent. Nothing was. */
	estimatedRequest?: object;
}

const settingsSchema = z.object({
	waitForCompletion: z.boolean({ invalid_type_error: 'must be true or false' }),
	downloadVideo: z.boolean({ invalid_type_error: 'must be true or false' }),
	pollInterval: z
		.number({ invalid_type_error: 'must be a number of seconds' })
		.positive('must be more than 0 seconds')
		.max(3600, 'must be at most 3600 seconds'),
	timeout: z
		.number({ invalid_type_error: 'must be a number of seconds' })
		.positive('must be more than 0 seconds'),
	binaryPropertyName: z
		.string({ invalid_type_error: 'must be text' })
		.trim()
		.min(1, 'is empty: name the output field for the video, e.g. data'),
	maxVideoSizeMb: z
		.number({ invalid_type_error: 'must be a number of MB' })
		.positive('must be more than 0 MB'),
});

const SETTING_LABELS: Record<string, string> = {
	waitForCompletion: 'Wait for Completion',
	downloadVideo: 'Download Video',
	pollInterval: 'Options → Poll Interval (Seconds)',
	timeout: 'Options → Timeout (Seconds)',
	binaryPropertyName: 'Options → Put Output Video in Field',
	maxVideoSizeMb: 'Options → Max Video Size (MB)',
};

export function readItemSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
	waitByDefault: boolean,
): ItemSettings {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as Record<string, unknown>;
	const waitForCompletion = ctx.getNodeParameter('waitForCompletion', itemIndex, waitByDefault);
	const parsed = settingsSchema.safeParse({
		waitForCompletion,
		downloadVideo: waitForCompletion
			? ctx.getNodeParameter('downloadVideo', itemIndex, true)
			: false,
		pollInterval: options.pollInterval ?? DEFAULT_POLL_INTERVAL_SECONDS,
		timeout: options.timeout ?? DEFAULT_TIMEOUT_SECONDS,
		binaryPropertyName: options.binaryPropertyName ?? DEFAULT_BINARY_PROPERTY,
		maxVideoSizeMb: options.maxVideoSizeMb ?? DEFAULT_MAX_VIDEO_SIZE_MB,
	});
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field = SETTING_LABELS[String(issue.path[0])] ?? issue.path.join('.');
		throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${field} ${issue.message}`, {
			itemIndex,
		});
	}
	const settings = parsed.data;
	return {
		waitForCompletion: settings.waitForCompletion,
		downloadVideo: settings.downloadVideo,
		pollIntervalMs: settings.pollInterval * 1000,
		timeoutMs: settings.timeout * 1000,
		binaryPropertyName: settings.binaryPropertyName,
		maxVideoBytes: Math.floor(settings.maxVideoSizeMb * MIB),
	};
}

/** An error thrown by this node, or anything else turned into one for the item. */
export function asNodeError(ctx: NodeContext, error: unknown, itemIndex: number): Error {
	if (error instanceof Error && 'node' in error) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/**
 * An item's Task ID, trimmed: text (a whole number is taken as its digits) that looks like a
 * task id (schemas/taskId.ts), so an object, a list or a path never reaches a URL.
 */
export function readTaskId(ctx: IExecuteFunctions, itemIndex: number): string {
	const value: unknown = ctx.getNodeParameter('taskId', itemIndex, '');
	const refuse = (problem: string, description?: string) =>
		new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: Task ID ${problem}`, {
			itemIndex,
			description,
		});
	let taskId: string;
	if (typeof value === 'string') taskId = value.trim();
	else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
		taskId = String(value);
	} else if (value === undefined || value === null) taskId = '';
	else throw refuse(`must be text, got ${typeNoun(value)}`);
	if (taskId === '') {
		throw refuse(
			'is empty',
			'Map the taskId of a Create Edit Task output, e.g. {{ $json.taskId }}.',
		);
	}
	const problem = taskIdProblem(taskId);
	if (problem) throw refuse(problem, 'Map the taskId field of a Create task output.');
	return taskId;
}
