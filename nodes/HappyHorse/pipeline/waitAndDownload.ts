import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { HappyHorseApi } from '../transport';
import { cancelingOnStop } from './cancelOnStop';
import { downloadResults } from './download';
import type { ItemState } from './itemState';
import { throwFirstFailure, toOutputItems } from './outputs';
import { pollUntilDone } from './poll';

/** The stages after a task exists, shared by every task operation: wait → download → output. */
export async function waitAndDownload(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	states: ItemState[],
): Promise<INodeExecutionData[]> {
	const failFast = !ctx.continueOnFail();
	await cancelingOnStop(ctx, api, states, 'waiting for tasks', async () => {
		await pollUntilDone(ctx, api, states, failFast);
	});
	throwFirstFailure(ctx, states);
	// A stop ends the downloads without a word: the stage then throws the stopped error.
	await cancelingOnStop(ctx, api, states, 'downloading videos', async () => {
		await downloadResults(ctx, states, failFast);
	});
	throwFirstFailure(ctx, states);
	return toOutputItems(states);
}
