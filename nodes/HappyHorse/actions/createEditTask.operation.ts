import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createTasks } from '../pipeline/createTasks';
import { readMediaSource, readOptions, readReferenceImages } from '../pipeline/draft';
import type { TaskDraft } from '../pipeline/prepare';
import type { HappyHorseApi } from '../transport';
import {
	mediaSourceProperties,
	promptProperty,
	referenceImagesProperty,
} from './common.description';

const properties: INodeProperties[] = [
	promptProperty({
		required: true,
		placeholder: 'e.g. Replace the background with a beach at sunset',
		description:
			'What to change in the video, in any language: at most 5000 characters (2500 Chinese characters)',
	}),
	...mediaSourceProperties({
		what: 'Video',
		parameters: { source: 'videoSource', url: 'videoUrl', binary: 'videoBinaryProperty' },
		urlHint: 'A public link to an MP4 or MOV video',
		binaryHint: 'A video file from an earlier node',
		placeholder: 'https://example.com/input.mp4',
		description:
			'Public URL of the video to edit: MP4 or MOV (H.264), 3–60 s, at most 100 MB. Only the first 15 s are edited.',
	}),
	referenceImagesProperty({
		max: 5,
		description:
			'Up to 5 pictures the prompt can refer to ("dress the person in the sweater from the picture"): JPEG, PNG or WEBP, at least 300 px. The Anyfast gateway takes exactly one.',
	}),
];

export const description = updateDisplayOptions(
	{ show: { operation: ['createEditTask'] } },
	properties,
);

/** Reads one item's edit from its parameters: the video, the reference images, the options. */
function readEditDraft(ctx: IExecuteFunctions, itemIndex: number): TaskDraft {
	const video = readMediaSource(ctx, itemIndex, {
		type: 'video',
		role: 'video',
		sourceParameter: 'videoSource',
		urlParameter: 'videoUrl',
		binaryParameter: 'videoBinaryProperty',
		urlField: 'Video URL',
		binaryField: 'Input Binary Field (video)',
	});
	return {
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		media: [video, ...readReferenceImages(ctx, itemIndex, 'editReferenceImage')],
		...readOptions(ctx, itemIndex, 'videoEdit'),
	};
}

/** Edits each item's video as its prompt says. */
export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	return await createTasks(this, api, 'videoEdit', readEditDraft);
}
