import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import type { ItemState } from '../helpers/itemState';
import { SETTINGS_OF_INVALID_ITEM, asNodeError, readItemSettings } from '../helpers/itemState';
import { throwFirstFailure } from '../helpers/outputs';
import { queryOnce } from '../helpers/pollUntilDone';
import { waitAndDownload } from '../helpers/waitAndDownload';
import type { HappyHorseApi } from '../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 0385dc79-5ff8-4d82-bcb6-5e8ee3d5f2a1',
		description: 'The ID of the task, as in the taskId field that Create Edit Task outputs',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['getTask'] } }, properties);

const QUERY_CONCURRENCY = 4;

export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	const states: ItemState[] = this.getInputData().map((_, itemIndex) => {
		const state: ItemState = { itemIndex, settings: SETTINGS_OF_INVALID_ITEM };
		try {
			state.settings = readItemSettings(this, itemIndex, false);
			const taskId = String(this.getNodeParameter('taskId', itemIndex, '') ?? '').trim();
			if (taskId === '') {
				throw new NodeOperationError(this.getNode(), `Item ${itemIndex}: Task ID is empty`, {
					itemIndex,
					description: 'Map the taskId of a Create Edit Task output, e.g. {{ $json.taskId }}.',
				});
			}
			state.taskId = taskId;
			state.deadline = Date.now() + state.settings.timeoutMs;
		} catch (error) {
			state.error = asNodeError(this, error, itemIndex);
		}
		return state;
	});
	throwFirstFailure(this, states);

	// The task may have finished long ago: look at every task once, right away.
	await mapWithConcurrency(
		states.filter((state) => !state.error),
		QUERY_CONCURRENCY,
		async (state) => await queryOnce(this, api, state),
	);
	throwFirstFailure(this, states);

	return await waitAndDownload(this, api, states);
}
