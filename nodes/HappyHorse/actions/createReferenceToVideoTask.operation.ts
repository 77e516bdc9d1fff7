import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createTasks } from '../pipeline/createTasks';
import { readOptions, readReferenceImages } from '../pipeline/draft';
import type { TaskDraft } from '../pipeline/prepare';
import type { HappyHorseApi } from '../transport';
import { promptProperty, referenceImagesProperty } from './common.description';

const properties: INodeProperties[] = [
	promptProperty({
		required: true,
		placeholder:
			'e.g. The woman in the red coat from [Image 1] hands the cup from [Image 2] to a friend in a sunny kitchen',
		description:
			'What the video shows, in any language: at most 5000 characters (2500 Chinese characters). Name each reference image as [Image 1], [Image 2], … in the order of Reference Images, and say what to take from it: a face, a coat, a dog.',
		hint: 'Name the pictures [Image 1], [Image 2], … in their order below, and say what to take from each',
	}),
	referenceImagesProperty({
		max: 9,
		description:
			'1 to 9 pictures of the people, animals or things the video shows, named in the prompt as [Image 1], [Image 2], … in this order (JPEG, PNG or WEBP, short side at least 400 px, at most 20 MB each). The Anyfast gateway takes 1 to 3.',
	}),
];

export const description = updateDisplayOptions(
	{ show: { operation: ['createReferenceToVideoTask'] } },
	properties,
);

function readReferenceToVideoDraft(ctx: IExecuteFunctions, itemIndex: number): TaskDraft {
	return {
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		media: readReferenceImages(ctx, itemIndex, 'characterImage'),
		...readOptions(ctx, itemIndex, 'referenceToVideo'),
	};
}

/** Makes one video per item of the characters in its reference images. */
export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	return await createTasks(this, api, 'referenceToVideo', readReferenceToVideoDraft);
}
