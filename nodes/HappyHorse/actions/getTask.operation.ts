import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { mapWithConcurrency } from '../pipeline/concurrency';
import type { ItemState } from '../pipeline/itemState';
import {
	GET_TASK_RETRY_SECONDS,
	SETTINGS_OF_INVALID_ITEM,
	asNodeError,
	readItemSettings,
	readTaskId,
} from '../pipeline/itemState';
import { taskIdProperty } from './common.description';
import { throwFirstFailure } from '../pipeline/outputs';
import { queryOnce, startWaiting } from '../pipeline/poll';
import { gaveUpLooking } from '../pipeline/taskErrors';
import { waitAndDownload } from '../pipeline/waitAndDownload';
import type { HappyHorseApi } from '../transport';

const properties: INodeProperties[] = [
	taskIdProperty('The ID of the task, as in the taskId field that Create Edit Task outputs'),
];

export const description = updateDisplayOptions({ show: { operation: ['getTask'] } }, properties);

/** Get Task's first look at every task, at once; the rate limiter keeps the account's pace. */
const FIRST_LOOK_CONCURRENCY = 4;

export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	const startedAt = Date.now();
	const states: ItemState[] = this.getInputData().map((_, itemIndex) => {
		const state: ItemState = { itemIndex, settings: SETTINGS_OF_INVALID_ITEM };
		try {
			state.settings = readItemSettings(this, itemIndex, false);
			startWaiting(state, { taskId: readTaskId(this, itemIndex) });
			// Without waiting it is a look: retries of a failing API end at the bound.
			if (!state.settings.waitForCompletion) {
				state.deadline = startedAt + GET_TASK_RETRY_SECONDS * 1000;
			}
		} catch (error) {
			state.error = asNodeError(this, error, itemIndex);
		}
		return state;
	});
	throwFirstFailure(this, states);

	// The task may have finished long ago: look at every task once, right away.
	await mapWithConcurrency(
		states.filter((state) => !state.error),
		FIRST_LOOK_CONCURRENCY,
		async (state) => {
			await queryOnce(this, api, state);
			if (state.error && !state.settings.waitForCompletion) {
				state.error = gaveUpLooking(state.error, state.taskId as string, startedAt);
			}
		},
	);
	throwFirstFailure(this, states);

	return await waitAndDownload(this, api, states);
}
