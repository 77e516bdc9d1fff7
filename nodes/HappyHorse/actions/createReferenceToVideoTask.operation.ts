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
		placeholder: 'e.g. character1 hands character2 a cup of coffee in a sunny kitchen',
		description:
			'What the video shows, in any language: at most 5000 characters (2500 Chinese characters)',
		hint: 'Name the reference images in order: character1 is the first image, character2 the second, and so on',
	}),
	referenceImagesProperty({
		max: 9,
		description:
			'1 to 9 pictures of the people, animals or things the video shows (JPEG, PNG or WEBP, short side at least 400 px, at most 20 MB each). The Anyfast gateway takes 1 to 3.',
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
