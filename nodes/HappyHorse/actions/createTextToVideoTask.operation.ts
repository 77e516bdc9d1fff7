import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createTasks } from '../pipeline/createTasks';
import { readOptions } from '../pipeline/draft';
import type { TaskDraft } from '../pipeline/prepare';
import type { HappyHorseApi } from '../transport';
import { promptProperty } from './common.description';

const properties: INodeProperties[] = [
	promptProperty({
		required: true,
		placeholder: 'e.g. A red fox running through fresh snow at dawn, slow motion',
		description:
			'What the video shows, in any language: at most 5000 characters (2500 Chinese characters)',
	}),
];

export const description = updateDisplayOptions(
	{ show: { operation: ['createTextToVideoTask'] } },
	properties,
);

function readTextToVideoDraft(ctx: IExecuteFunctions, itemIndex: number): TaskDraft {
	return {
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		media: [],
		...readOptions(ctx, itemIndex, 'textToVideo'),
	};
}

/** Makes one video per item from its prompt. */
export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	return await createTasks(this, api, 'textToVideo', readTextToVideoDraft);
}
