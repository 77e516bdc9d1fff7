import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createTasks } from '../pipeline/createTasks';
import type { MediaInput, TaskDraft } from '../pipeline/prepare';
import { DEFAULT_MODEL } from '../schemas/editTaskRequest';
import type { HappyHorseApi } from '../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. Replace the background with a beach at sunset',
		description:
			'What to change in the video, in any language: at most 5000 characters (2500 Chinese characters)',
	},
	{
		displayName: 'Video Source',
		name: 'videoSource',
		type: 'options',
		default: 'url',
		options: [
			{ name: 'URL', value: 'url', description: 'A public link to an MP4 or MOV video' },
			{ name: 'Binary File', value: 'binary', description: 'A video file from an earlier node' },
		],
	},
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/input.mp4',
		description:
			'Public URL of the video to edit: MP4 or MOV (H.264), 3–60 s, at most 100 MB. Only the first 15 s are edited.',
		displayOptions: { show: { videoSource: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'videoBinaryProperty',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the input binary field that holds the video',
		displayOptions: { show: { videoSource: ['binary'] } },
	},
	{
		displayName: 'Reference Images',
		name: 'referenceImages',
		type: 'fixedCollection',
		placeholder: 'Add Reference Image',
		typeOptions: { multipleValues: true, maxAllowedFields: 5 },
		default: {},
		description:
			'Up to 5 pictures the prompt can refer to ("dress the person in the sweater from the picture"): JPEG, PNG or WEBP, at least 300 px. The Anyfast gateway takes exactly one.',
		options: [
			{
				displayName: 'Image',
				name: 'images',
				values: [
					{
						displayName: 'Source',
						name: 'source',
						type: 'options',
						default: 'url',
						options: [
							{ name: 'URL', value: 'url' },
							{ name: 'Binary File', value: 'binary' },
						],
					},
					{
						displayName: 'Image URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'https://example.com/sweater.png',
						displayOptions: { show: { source: ['url'] } },
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryProperty',
						type: 'string',
						default: 'image',
						hint: 'The name of the input binary field that holds the image',
						displayOptions: { show: { source: ['binary'] } },
					},
				],
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { operation: ['createEditTask'] } },
	properties,
);

interface ReferenceImageParameter {
	source?: string;
	url?: string;
	binaryProperty?: string;
}

/** Reads one item's edit from its parameters: the video, the reference images, the options. */
function readEditDraft(ctx: IExecuteFunctions, itemIndex: number): TaskDraft {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const media: MediaInput[] = [];
	const videoSource = ctx.getNodeParameter('videoSource', itemIndex, 'url') as string;
	if (videoSource === 'binary') {
		media.push({
			type: 'video',
			kind: 'video',
			field: 'Input Binary Field (video)',
			binaryProperty: ctx.getNodeParameter('videoBinaryProperty', itemIndex, 'data') as string,
		});
	} else {
		media.push({
			type: 'video',
			kind: 'video',
			field: 'Video URL',
			url: ctx.getNodeParameter('videoUrl', itemIndex, ''),
		});
	}
	const images = ctx.getNodeParameter(
		'referenceImages.images',
		itemIndex,
		[],
	) as ReferenceImageParameter[];
	for (const [index, image] of images.entries()) {
		const field = `Reference Image ${index + 1}`;
		media.push(
			image.source === 'binary'
				? {
						type: 'reference_image',
						kind: 'editReferenceImage',
						field,
						binaryProperty: image.binaryProperty ?? 'image',
					}
				: {
						type: 'reference_image',
						kind: 'editReferenceImage',
						field: `${field} URL`,
						url: image.url ?? '',
					},
		);
	}

	const parameters: IDataObject = {};
	if (options.resolution !== undefined) parameters.resolution = options.resolution;
	if (options.watermark !== undefined) parameters.watermark = options.watermark;
	if (options.audioSetting !== undefined) parameters.audio_setting = options.audioSetting;
	if (options.seed !== undefined && options.seed !== '') parameters.seed = options.seed;

	return {
		model: options.model ?? DEFAULT_MODEL,
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		media,
		parameters,
		checkFiles: options.checkMedia !== false,
	};
}

export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	return await createTasks(this, api, readEditDraft);
}
