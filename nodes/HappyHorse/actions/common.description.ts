import type { INodeProperties } from 'n8n-workflow';

import { createOperations } from './createOperations';

/**
 * Parameters the operations share: the prompt, pictures and videos, task ids, waiting and
 * downloading. The Options collection is options.description.ts.
 */

/** The Prompt field of a create operation. */
export function promptProperty(prompt: {
	required: boolean;
	placeholder: string;
	description: string;
	hint?: string;
}): INodeProperties {
	return {
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: prompt.required,
		default: '',
		placeholder: prompt.placeholder,
		description: prompt.description,
		...(prompt.hint ? { hint: prompt.hint } : {}),
	};
}

/** The three fields of one picture or video given as a URL or as an input binary field. */
export function mediaSourceProperties(media: {
	/** 'Video', 'Image': the fields are '<what> Source' and '<what> URL'. */
	what: string;
	parameters: { source: string; url: string; binary: string };
	urlHint: string;
	binaryHint: string;
	placeholder: string;
	description: string;
}): INodeProperties[] {
	const { source, url, binary } = media.parameters;
	return [
		{
			displayName: `${media.what} Source`,
			name: source,
			type: 'options',
			default: 'url',
			options: [
				{ name: 'URL', value: 'url', description: media.urlHint },
				{ name: 'Binary File', value: 'binary', description: media.binaryHint },
			],
		},
		{
			displayName: `${media.what} URL`,
			name: url,
			type: 'string',
			required: true,
			default: '',
			placeholder: media.placeholder,
			description: media.description,
			displayOptions: { show: { [source]: ['url'] } },
		},
		{
			displayName: 'Input Binary Field',
			name: binary,
			type: 'string',
			required: true,
			default: 'data',
			hint: `The name of the input binary field that holds the ${media.what === 'Video' ? 'video' : 'first frame'}`,
			displayOptions: { show: { [source]: ['binary'] } },
		},
	];
}

/** The Reference Images collection of video edit and references to video. */
export function referenceImagesProperty(images: {
	max: number;
	description: string;
}): INodeProperties {
	return {
		displayName: 'Reference Images',
		name: 'referenceImages',
		type: 'fixedCollection',
		placeholder: 'Add Reference Image',
		typeOptions: { multipleValues: true, maxAllowedFields: images.max },
		default: {},
		description: images.description,
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
	};
}

/** The Task ID field of Get Task and Cancel Task; `description` says what happens to the task. */
export function taskIdProperty(description: string): INodeProperties {
	return {
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 0385dc79-5ff8-4d82-bcb6-5e8ee3d5f2a1',
		description,
	};
}

const waitForCompletionDescription =
	'Whether to wait until the task has finished and hand on its result. Off: output the task ID and status at once.';

export const waitProperties: INodeProperties[] = [
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description: waitForCompletionDescription,
		displayOptions: { show: { operation: createOperations } },
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to wait until the task has finished and hand on its result. Off: output the task ID and status at once, after at most 15 s of retries when the API fails.',
		displayOptions: { show: { operation: ['getTask'] } },
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: true,
		description:
			'Whether to download the video as a file for the next node (S3, Google Drive, YouTube…). Off: output only its URL, valid for 24 hours.',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
];
