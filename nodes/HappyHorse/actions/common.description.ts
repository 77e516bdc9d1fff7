import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MODEL } from '../schemas/editTaskRequest';
import {
	DEFAULT_BINARY_PROPERTY,
	DEFAULT_POLL_INTERVAL_SECONDS,
	DEFAULT_TIMEOUT_SECONDS,
} from '../pipeline/itemState';

/** Parameters every task operation shares: waiting, downloading, and the Options collection. */

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
		displayOptions: { show: { operation: ['createEditTask'] } },
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description: waitForCompletionDescription,
		displayOptions: { show: { operation: ['getTask'] } },
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: true,
		description:
			'Whether to download the edited video as a file for the next node (S3, Google Drive, YouTube…). Off: output only its URL, valid for 24 hours.',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
];

const createOnly = { show: { '/operation': ['createEditTask'] } };
const whenWaiting = { show: { '/waitForCompletion': [true] } };

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Audio',
			name: 'audioSetting',
			type: 'options',
			default: 'auto',
			description: 'What happens to the sound of the video',
			options: [
				{ name: 'Auto', value: 'auto', description: 'The model decides' },
				{ name: 'Keep Original', value: 'origin', description: 'Keep the input video’s sound' },
			],
			displayOptions: createOnly,
		},
		{
			displayName: 'Check Files Before Upload',
			name: 'checkMedia',
			type: 'boolean',
			default: true,
			description:
				'Whether to check files from earlier nodes against the API limits (type, size, duration, sides, frame rate, H.264) before uploading, so a task bound to fail is never paid for',
			displayOptions: createOnly,
		},
		{
			displayName: 'Model',
			name: 'model',
			type: 'string',
			default: DEFAULT_MODEL,
			description: 'The model ID; change it only when Alibaba publishes a new version',
			displayOptions: createOnly,
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			default: DEFAULT_POLL_INTERVAL_SECONDS,
			typeOptions: { minValue: 0 },
			description:
				'The longest wait between two status checks of a task. Checks start 1 s after each change of status and back off to this.',
			displayOptions: whenWaiting,
		},
		{
			displayName: 'Put Output Video in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: DEFAULT_BINARY_PROPERTY,
			description: 'The name of the output binary field to put the edited video in',
			displayOptions: { show: { '/waitForCompletion': [true], '/downloadVideo': [true] } },
		},
		{
			displayName: 'Resolution',
			name: 'resolution',
			type: 'options',
			default: '1080P',
			description: 'Resolution of the edited video. Not set: the API default, 1080P.',
			options: [
				{ name: '720P', value: '720P' },
				{ name: '1080P', value: '1080P' },
			],
			displayOptions: createOnly,
		},
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 2147483647, numberPrecision: 0 },
			description: 'A fixed seed (0 to 2147483647) makes results more repeatable',
			displayOptions: createOnly,
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			default: DEFAULT_TIMEOUT_SECONDS,
			typeOptions: { minValue: 1 },
			description:
				'How long to wait for a task at most. The task keeps running after that; collect it later with Get Task.',
			displayOptions: whenWaiting,
		},
		{
			displayName: 'Watermark',
			name: 'watermark',
			type: 'boolean',
			default: true,
			description:
				'Whether the API adds its "AI generated" watermark. Not set: the API default, on.',
			displayOptions: createOnly,
		},
	],
};
