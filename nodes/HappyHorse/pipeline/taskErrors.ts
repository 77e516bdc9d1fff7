import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { TaskSnapshot } from '../schemas/task';
import { appendToDescription } from '../transport/request';
import { failedRetryably } from '../transport/retry';
import { adviceFor } from '../transport/apiErrors';
import type { ItemState } from './itemState';
import { GET_TASK_RETRY_SECONDS } from './itemState';
import type { NodeContext } from '../transport/context';

/** The task ended without a video: FAILED, CANCELED or UNKNOWN. */
export function taskEndedError(
	ctx: NodeContext,
	snapshot: TaskSnapshot,
	itemIndex: number,
): NodeApiError {
	const { taskId, status } = snapshot;
	let message: string;
	let description: string;
	if (status === 'FAILED') {
		const reason = [snapshot.errorCode, snapshot.errorMessage].filter(Boolean).join(': ');
		message = `Task ${taskId} failed: ${reason || 'no reason given'}`;
		description =
			adviceFor({ httpStatus: 0, code: snapshot.errorCode }) ??
			'Check the prompt and the media against the limits in the node documentation.';
	} else if (status === 'CANCELED') {
		message = `Task ${taskId} was canceled`;
		description = 'Someone canceled the task before it ran. Run Create Edit Task again.';
	} else {
		message = `Task ${taskId} is unknown to the API`;
		description =
			'The API does not know this task: the ID is wrong, belongs to another account or region, or the task is older than 24 hours.';
	}
	const error = new NodeApiError(
		ctx.getNode(),
		{
			taskId,
			status,
			code: snapshot.errorCode ?? null,
			message: snapshot.errorMessage ?? null,
		} as JsonObject,
		{ message, description, itemIndex },
	);
	error.context.taskId = taskId;
	return error;
}

export function timeoutError(
	ctx: IExecuteFunctions,
	state: ItemState,
	status: string,
): NodeOperationError {
	const seconds = Math.round(state.settings.timeoutMs / 1000);
	const error = new NodeOperationError(
		ctx.getNode(),
		`Task ${state.taskId} is still ${status} after ${seconds} s`,
		{
			itemIndex: state.itemIndex,
			description: `The task goes on running on the server. To collect it, run the Get Task operation with task ID ${state.taskId} and Wait for Completion on, or raise Options → Timeout.`,
		},
	);
	error.context.taskId = state.taskId;
	return error;
}

/** Any failure after the task was created must still say which task it was. */
export function withTaskId(error: Error, taskId: string | undefined): Error {
	if (!taskId || error.message.includes(taskId)) return error;
	error.message = `${error.message} (task ${taskId})`;
	appendToDescription(
		error,
		`Task ${taskId} may still be running on the server: collect it later with Get Task and this ID.`,
	);
	const { context } = error as { context?: Record<string, unknown> };
	if (context) context.taskId = taskId;
	return error;
}

/**
 * Get Task without waiting stopped retrying a failing read at its bound (GET_TASK_RETRY_SECONDS):
 * the error says it gave up, after how long, and how to look again. Other errors stay as they are.
 */
export function gaveUpLooking(error: Error, taskId: string, startedAt: number): Error {
	if (!failedRetryably(error, 'read')) return error;
	const seconds = Math.round((Date.now() - startedAt) / 100) / 10;
	error.message = `${withTaskId(error, taskId).message}; gave up after ${seconds} s`;
	appendToDescription(
		error,
		`Get Task without Wait for Completion retries for at most ${GET_TASK_RETRY_SECONDS} s, so a look at task ${taskId} never holds the workflow long. The task is not affected: look again later, or turn Wait for Completion on to keep trying until the Timeout.`,
	);
	return error;
}
