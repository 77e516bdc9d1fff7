import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { FamilyRules, SubmittedTask } from '../schemas/task';
import type { TaskRequest } from '../schemas/taskRequest';
import { unconfirmedSettings } from '../schemas/taskRequest';
import { FINAL_STATUSES } from '../schemas/task';
import type { HappyHorseApi } from '../transport';
import { adviceFor } from '../transport/apiErrors';
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
	// Looked at before every submit: a flag, not a scan of the batch per item (bench/overhead.ts).
	let anyFailed = states.some((state) => state.error);
	await mapWithConcurrency([...prepared.keys()], SUBMIT_CONCURRENCY, async (state) => {
		if (signal?.aborted || (failFast && anyFailed)) return;
		let submitting = false;
		let request: TaskRequest | undefined;
		try {
			request = await uploadFiles(ctx, api.uploads, prepared.get(state)!);
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
			if (submitting && request) explainRefusedSettings(state.error, request, api.mediaRules);
		}
		// handOver fails an item whose submit reported an end, without throwing.
		anyFailed ||= state.error !== undefined;
	});
}

/**
 * A submit refused with HTTP 400 that sent a setting only some sources list for its model
 * (480P or a newer ratio on a 1.0 model): the error names the option and says nothing was billed,
 * so the user knows which choice to change (docs/API.md, "Settings").
 */
function explainRefusedSettings(error: Error, request: TaskRequest, family: FamilyRules): void {
	if (!(error instanceof NodeApiError) || error.httpCode !== '400') return;
	// A refusal with a cause of its own (moderation, billing, a URL) is not about the settings.
	const code = error.context.apiErrorCode;
	if (typeof code === 'string' && adviceFor({ httpStatus: 400, code })) return;
	const settings = unconfirmedSettings(request, family);
	if (settings.length === 0) return;
	const named = settings.map(({ option, value }) => `${option} ${value}`).join(', ');
	const details = settings.map(
		({ option, value, listedFor }) => `${option} ${value} is listed for ${listedFor}.`,
	);
	error.message = `${error.message} (${named}; not billed)`;
	error.description = [
		...details,
		`${request.model} may not take it here: the API refused the submit, and a refused submit is not billed. Choose another value, or a model it is listed for (Options → Model).`,
		error.description,
	]
		.filter(Boolean)
		.join(' ');
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
