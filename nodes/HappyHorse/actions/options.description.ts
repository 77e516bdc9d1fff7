import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import {
	AUDIO_SETTINGS,
	DEFAULT_MAX_VIDEO_SIZE_MB,
	DURATION_SECONDS,
	RATIOS,
	RATIO_VALUES,
	RESOLUTION_VALUES,
	SEED_MAX,
} from '../schemas/limits';
import type { Resolution, SettingValue } from '../schemas/limits';
import type { ParameterName } from '../schemas/taskKinds';
import { TASK_KIND_SPECS } from '../schemas/taskKinds';

import {
	DEFAULT_BINARY_PROPERTY,
	DEFAULT_POLL_INTERVAL_SECONDS,
	DEFAULT_TIMEOUT_SECONDS,
} from '../pipeline/itemState';

import { CREATE_OPERATIONS, createOperations, operationsTaking } from './createOperations';

/** The Options collection of every task operation, and Options → Model's list. */
const createOnly = { show: { '/operation': createOperations } };
const whenWaiting = { show: { '/waitForCompletion': [true] } };
const shownFor = (parameter: ParameterName) => ({
	show: { '/operation': operationsTaking(parameter) },
});

/**
 * The options of an `options` field, from one of the API's lists, each saying which models the
 * documents list it for (docs/API.md, "Settings").
 */
const listed = (
	values: readonly string[],
	sources: Record<string, SettingValue>,
): INodePropertyOptions[] =>
	values.map((value) => ({
		name: value,
		value,
		description: `Listed for ${sources[value].listedFor}`,
	}));

/**
 * One Resolution option per list of resolutions, shown for the operations whose kind takes that
 * list: video edit has no 480P, so its editor does not offer it.
 */
function resolutionOptions(): INodeProperties[] {
	const lists = new Map<string, { values: readonly Resolution[]; operations: string[] }>();
	for (const [operation, kind] of Object.entries(CREATE_OPERATIONS)) {
		const values = TASK_KIND_SPECS[kind].resolutions;
		const entry = lists.get(values.join()) ?? { values, operations: [] };
		entry.operations.push(operation);
		lists.set(values.join(), entry);
	}
	return [...lists.values()].map(({ values, operations }) => ({
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		default: '1080P',
		description: `Resolution of the video; the price per second rises with it (${values.join(', ')}). Not set: the API default, 1080P.`,
		options: listed(values, RESOLUTION_VALUES),
		displayOptions: { show: { '/operation': operations } },
	}));
}

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Additional Parameters',
			name: 'additionalParameters',
			type: 'json',
			default: '{}',
			description:
				'A JSON object merged into the request\'s parameters, for fields this node has no option for yet, e.g. {"prompt_extend": true} for a 1.1 model. A key that an option above sets is refused.',
			displayOptions: createOnly,
		},
		{
			displayName: 'Aspect Ratio',
			name: 'ratio',
			type: 'options',
			default: '16:9',
			description:
				'Shape of the video, width:height. Not set: the API default, 16:9. A value not listed for the model is refused by the API (HTTP 400, not billed).',
			options: listed(RATIOS, RATIO_VALUES),
			displayOptions: shownFor('ratio'),
		},
		{
			displayName: 'Audio',
			name: 'audioSetting',
			type: 'options',
			default: 'auto',
			description: 'What happens to the sound of the video',
			options: [
				{ name: 'Auto', value: AUDIO_SETTINGS[0], description: 'The model decides' },
				{
					name: 'Keep Original',
					value: AUDIO_SETTINGS[1],
					description: 'Keep the input video’s sound',
				},
			],
			displayOptions: shownFor('audio_setting'),
		},
		{
			displayName: 'Check Files Before Upload',
			name: 'checkMedia',
			type: 'boolean',
			default: true,
			description:
				'Whether to check files from earlier nodes against the API limits (type, size, duration, sides, frame rate, H.264) before uploading, so a task bound to fail is never paid for',
			displayOptions: {
				show: {
					'/operation': ['createEditTask', 'createImageToVideoTask', 'createReferenceToVideoTask'],
				},
			},
		},
		{
			displayName: 'Duration (Seconds)',
			name: 'duration',
			type: 'number',
			default: 5,
			typeOptions: {
				minValue: DURATION_SECONDS.min,
				maxValue: DURATION_SECONDS.max,
				numberPrecision: 0,
			},
			description: `Length of the video, ${DURATION_SECONDS.min} to ${DURATION_SECONDS.max} seconds; billed per second. Not set: the API default, 5.`,
			displayOptions: shownFor('duration'),
		},
		{
			displayName: 'Estimate Only',
			name: 'estimateOnly',
			type: 'boolean',
			default: false,
			description:
				'Whether to only check each item and estimate what it would cost, with the request that would be sent. Nothing is uploaded or submitted, and nothing is billed.',
			displayOptions: createOnly,
		},
		{
			displayName: 'Max Billed Seconds per Execution',
			name: 'maxBilledSecondsPerExecution',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 0 },
			description:
				'The most seconds of video this node may order in one execution, counting every earlier HappyHorse run of the same execution (loops, an agent calling the tool again). Over it, nothing of the run is uploaded or submitted. Works on every endpoint, priced or not.',
			displayOptions: createOnly,
		},
		{
			displayName: 'Max Cost per Execution',
			name: 'maxCostPerExecution',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 0, numberPrecision: 2 },
			description:
				"The most this node may spend in one execution, in the estimate's currency (CNY in Beijing, else USD, or the credential's own), counting every earlier HappyHorse run of the same execution. Over it, nothing of the run is uploaded or submitted. Where the price is unknown, setting it is an error.",
			displayOptions: createOnly,
		},
		{
			displayName: 'Max Video Size (MB)',
			name: 'maxVideoSizeMb',
			type: 'number',
			default: DEFAULT_MAX_VIDEO_SIZE_MB,
			typeOptions: { minValue: 0 },
			description:
				'The largest result video the node downloads; a larger one is an error of its item, refused on its announced size or while it streams',
			displayOptions: { show: { '/waitForCompletion': [true], '/downloadVideo': [true] } },
		},
		{
			displayName: 'Model Name or ID',
			name: 'model',
			type: 'options',
			default: '',
			typeOptions: { loadOptionsMethod: 'getModels' },
			description:
				'The model of this operation, 1.0 by default. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: createOnly,
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			default: DEFAULT_POLL_INTERVAL_SECONDS,
			typeOptions: { minValue: 0 },
			description:
				'The longest wait between two status checks of a task. A running task is checked most often around its expected end (from how long tasks of its kind took), within the share of Status Queries per Second set aside for waiting.',
			displayOptions: whenWaiting,
		},
		{
			displayName: 'Put Output Video in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: DEFAULT_BINARY_PROPERTY,
			description: 'The name of the output binary field to put the video in',
			displayOptions: { show: { '/waitForCompletion': [true], '/downloadVideo': [true] } },
		},
		...resolutionOptions(),
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: SEED_MAX, numberPrecision: 0 },
			description: `A fixed seed (0 to ${SEED_MAX}) makes results more repeatable`,
			displayOptions: shownFor('seed'),
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
			displayOptions: shownFor('watermark'),
		},
	],
};

/** Options → Model's list: the 1.0 and 1.1 models of the operation's kind, 1.0 first. */
export function modelOptionsFor(operation: string): INodePropertyOptions[] {
	const kind = CREATE_OPERATIONS[operation as keyof typeof CREATE_OPERATIONS];
	if (!kind) return [];
	return TASK_KIND_SPECS[kind].models.map((model, index) => ({
		name: index === 0 ? `${model} (default)` : model,
		value: model,
	}));
}
