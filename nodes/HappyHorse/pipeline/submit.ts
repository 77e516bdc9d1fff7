import type { IExecuteFunctions } from 'n8n-workflow';

import type { HappyHorseApi } from '../transport';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { startWaiting } from './poll';
import type { PreparedTask } from './prepare';
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
	await mapWithConcurrency([...prepared.keys()], SUBMIT_CONCURRENCY, async (state) => {
		if (failFast && states.some((other) => other.error)) return;
		try {
			const request = await uploadFiles(ctx, api.uploads, prepared.get(state)!);
			// The retry budget starts after the uploads: a long upload does not eat into it.
			const deadline = Date.now() + Math.min(state.settings.timeoutMs, SUBMIT_RETRY_BUDGET_MS);
			startWaiting(state, await api.submitTask(request, state.itemIndex, deadline));
		} catch (error) {
			state.error = asNodeError(ctx, error, state.itemIndex);
		}
	});
}
