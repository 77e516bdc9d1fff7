import type { IExecuteFunctions } from 'n8n-workflow';

import type { SubmittedTask } from '../schemas/task';
import { FINAL_STATUSES } from '../schemas/task';
import type { HappyHorseApi } from '../transport';
import { ExecutionStoppedError } from '../transport/executionStopped';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { startWaiting } from './poll';
import { runKindOf } from './runTimeMemory';
import type { PreparedTask } from './prepare';
import { taskEndedError } from './taskErrors';
import { uploadFiles } from './upload';

/**
 * Submits go out one after another, in item order, so tasks are created (and billed) in the
 * order of the items; the rate limiter keeps them under the account's 5 per second. Sending
 * them faster would not finish a batch sooner: the account runs 5 tasks at a time anyway.
 */
const SUBMIT_CONCURRENCY = 1;

/** A throttled submit is retried within the item's timeout, and never for more than a minute. */
const SUBMIT_RETRY_BUDGET_MS = 60_000;

/**
 * The upload and submit stages, item by item. Without continue-on-fail the stage stops at the
 * first failure, so nothing more is paid for. Each created task is handed to the poll stage.
 */
export async function submitTasks(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
	prepared: Map<ItemState, PreparedTask>,
): Promise<void> {
	const failFast = !ctx.continueOnFail();
	const signal = ctx.getExecutionCancelSignal?.();
	await mapWithConcurrency([...prepared.keys()], SUBMIT_CONCURRENCY, async (state) => {
		if (signal?.aborted || (failFast && states.some((other) => other.error))) return;
		let submitting = false;
		try {
			const request = await uploadFiles(ctx, api.uploads, prepared.get(state)!);
			// The retry budget starts after the uploads: a long upload does not eat into it.
			const deadline = Date.now() + Math.min(state.settings.timeoutMs, SUBMIT_RETRY_BUDGET_MS);
			submitting = true;
			state.runKind = runKindOf(api.baseUrl, request);
			handOver(ctx, state, await api.submitTask(request, state.itemIndex, deadline));
		} catch (error) {
			// A stop while the submit was on the wire: the API may have created the task.
			state.stoppedDuringSubmit =
				submitting && error instanceof ExecutionStoppedError && !error.duringPause;
			state.error = asNodeError(ctx, error, state.itemIndex);
		}
	});
}

/**
 * A created task goes to the wait stage. A submit may already report a final status (a gateway
 * that ran the task at once): an item that waits takes it as a query saying so, an error of the
 * item for FAILED / CANCELED / UNKNOWN, and a query for the video URL of a SUCCEEDED one, which
 * the submit answer does not carry. An item that does not wait outputs the status as reported.
 */
function handOver(ctx: IExecuteFunctions, state: ItemState, task: SubmittedTask): void {
	state.createdHere = true;
	if (!state.settings.waitForCompletion || !FINAL_STATUSES.has(task.status)) {
		startWaiting(state, task);
	} else if (task.status === 'SUCCEEDED') {
		startWaiting(state, { taskId: task.taskId, requestId: task.requestId });
	} else {
		startWaiting(state, task);
		state.error = taskEndedError(ctx, { ...task }, state.itemIndex);
	}
}
