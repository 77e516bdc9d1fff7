import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { HappyHorseApi } from '../transport';
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
	await pollUntilDone(ctx, api, states, failFast);
	throwFirstFailure(ctx, states);
	await downloadResults(ctx, states, failFast);
	throwFirstFailure(ctx, states);
	return toOutputItems(states);
}
