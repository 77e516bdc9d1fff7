import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createTasks } from '../pipeline/createTasks';
import { readMediaSource, readOptions } from '../pipeline/draft';
import type { TaskDraft } from '../pipeline/prepare';
import type { HappyHorseApi } from '../transport';
import { mediaSourceProperties, promptProperty } from './common.description';

const properties: INodeProperties[] = [
	...mediaSourceProperties({
		what: 'Image',
		parameters: { source: 'imageSource', url: 'imageUrl', binary: 'imageBinaryProperty' },
		urlHint: 'A public link to a JPEG, PNG or WEBP picture',
		binaryHint: 'A picture from an earlier node',
		placeholder: 'https://example.com/first-frame.png',
		description:
			'Public URL of the first frame: JPEG, PNG or WEBP, both sides at least 300 px, aspect between 1:2.5 and 2.5:1, at most 10 MB. The video keeps its aspect.',
	}),
	promptProperty({
		required: false,
		placeholder: 'e.g. The camera slowly pulls back as the waves roll in',
		description:
			'Optional: how the picture comes to life, in any language: at most 5000 characters (2500 Chinese characters). Sent only when given.',
	}),
];

export const description = updateDisplayOptions(
	{ show: { operation: ['createImageToVideoTask'] } },
	properties,
);

function readImageToVideoDraft(ctx: IExecuteFunctions, itemIndex: number): TaskDraft {
	const firstFrame = readMediaSource(ctx, itemIndex, {
		type: 'first_frame',
		role: 'firstFrame',
		sourceParameter: 'imageSource',
		urlParameter: 'imageUrl',
		binaryParameter: 'imageBinaryProperty',
		urlField: 'Image URL',
		binaryField: 'Input Binary Field (first frame)',
	});
	return {
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		media: [firstFrame],
		...readOptions(ctx, itemIndex, 'imageToVideo'),
	};
}

/** Brings each item's picture to life: a video that starts on it. */
export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	return await createTasks(this, api, 'imageToVideo', readImageToVideoDraft);
}
