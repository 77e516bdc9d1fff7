import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import type { BinaryMedia } from '../media/binaryMedia';
import { readBinaryMedia, uploadSourceOf } from '../media/binaryMedia';
import { preflightCheck } from '../media/mediaChecks';
import type { ItemState } from '../helpers/itemState';
import { SETTINGS_OF_INVALID_ITEM, asNodeError, readItemSettings } from '../helpers/itemState';
import { throwFirstFailure } from '../helpers/outputs';
import { scheduleNextCheck } from '../helpers/pollUntilDone';
import { waitAndDownload } from '../helpers/waitAndDownload';
import type { EditTaskRequest } from '../schemas/editTaskRequest';
import { DEFAULT_MODEL, editTaskRequestSchema, fieldLabel } from '../schemas/editTaskRequest';
import type { MediaKind } from '../schemas/limits';
import type { HappyHorseApi, MediaRules } from '../transport';
import { UPLOAD_ALTERNATIVE } from '../transport/upload';

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

/**
 * Submits go out one after another, in item order, so tasks are created (and billed) in the
 * order of the items; the rate limiter keeps them under the account's 5 per second. Sending
 * them faster would not finish a batch sooner: the account runs 5 tasks at a time anyway.
 */
const SUBMIT_CONCURRENCY = 1;

interface ReferenceImageParameter {
	source?: string;
	url?: string;
	binaryProperty?: string;
}

/** A file to upload before the submit, and where its oss:// URL goes in `input.media`. */
interface PendingUpload {
	mediaIndex: number;
	media: BinaryMedia;
}

/** One item, checked and ready: the API body, and the files it needs uploaded first. */
export interface PreparedEditTask {
	request: EditTaskRequest;
	uploads: PendingUpload[];
}

/** Stands in `input.media` until the file is uploaded; passes the URL rules of native endpoints. */
const UPLOAD_PLACEHOLDER = 'oss://pending-upload';

/**
 * Reads one item's parameters into the API body and checks it, files included, before anything
 * is uploaded or paid for.
 */
export async function prepareEditTask(
	ctx: IExecuteFunctions,
	itemIndex: number,
	mediaRules: MediaRules,
): Promise<PreparedEditTask> {
	const media: Array<{ type: string; url: unknown }> = [];
	const uploads: PendingUpload[] = [];
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const checkFiles = options.checkMedia !== false;

	const addBinary = async (type: string, kind: MediaKind, field: string, property: string) => {
		if (!mediaRules.acceptsUploads) {
			// Said before the file is even read: on this endpoint no file can go anywhere.
			const endpoint = mediaRules.label === 'DashScope' ? 'this endpoint' : mediaRules.label;
			throw new NodeOperationError(
				ctx.getNode(),
				`Item ${itemIndex}: ${field}: ${endpoint} cannot take files`,
				{ itemIndex, description: UPLOAD_ALTERNATIVE },
			);
		}
		const file = await readBinaryMedia(ctx, itemIndex, property, kind, field);
		if (checkFiles) preflightCheck(ctx, file);
		uploads.push({ mediaIndex: media.length, media: file });
		media.push({ type, url: UPLOAD_PLACEHOLDER });
	};

	const videoSource = ctx.getNodeParameter('videoSource', itemIndex, 'url') as string;
	if (videoSource === 'binary') {
		const property = ctx.getNodeParameter('videoBinaryProperty', itemIndex, 'data') as string;
		await addBinary('video', 'video', 'Input Binary Field (video)', property);
	} else {
		media.push({ type: 'video', url: ctx.getNodeParameter('videoUrl', itemIndex, '') });
	}

	const images = ctx.getNodeParameter(
		'referenceImages.images',
		itemIndex,
		[],
	) as ReferenceImageParameter[];
	for (const [index, image] of images.entries()) {
		if (image.source === 'binary') {
			const field = `Reference Image ${index + 1}`;
			await addBinary(
				'reference_image',
				'editReferenceImage',
				field,
				image.binaryProperty ?? 'image',
			);
		} else {
			media.push({ type: 'reference_image', url: image.url ?? '' });
		}
	}

	const parameters: IDataObject = {};
	if (options.resolution !== undefined) parameters.resolution = options.resolution;
	if (options.watermark !== undefined) parameters.watermark = options.watermark;
	if (options.audioSetting !== undefined) parameters.audio_setting = options.audioSetting;
	if (options.seed !== undefined && options.seed !== '') parameters.seed = options.seed;

	const parsed = editTaskRequestSchema(mediaRules).safeParse({
		model: options.model ?? DEFAULT_MODEL,
		input: { prompt: ctx.getNodeParameter('prompt', itemIndex, ''), media },
		parameters,
	});
	if (parsed.success) return { request: parsed.data, uploads };

	const problems = parsed.error.issues.map((issue) => `${fieldLabel(issue.path)} ${issue.message}`);
	throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${problems[0]}`, {
		itemIndex,
		description: problems.length > 1 ? `Also: ${problems.slice(1).join('; ')}` : undefined,
	});
}

export async function execute(
	this: IExecuteFunctions,
	api: HappyHorseApi,
): Promise<INodeExecutionData[]> {
	const states: ItemState[] = [];
	const prepared = new Map<ItemState, PreparedEditTask>();

	// Stage 1: check every item before the first paid call.
	for (const itemIndex of this.getInputData().keys()) {
		const state: ItemState = { itemIndex, settings: SETTINGS_OF_INVALID_ITEM };
		states.push(state);
		try {
			state.settings = readItemSettings(this, itemIndex, true);
			prepared.set(state, await prepareEditTask(this, itemIndex, api.mediaRules));
		} catch (error) {
			state.error = asNodeError(this, error, itemIndex);
		}
	}
	throwFirstFailure(this, states);

	// Stage 2: submit. Without continue-on-fail, stop at the first failure so nothing more is paid for.
	const failFast = !this.continueOnFail();
	await mapWithConcurrency([...prepared.keys()], SUBMIT_CONCURRENCY, async (state) => {
		if (failFast && states.some((other) => other.error)) return;
		try {
			const request = await uploadFiles(this, api, prepared.get(state)!);
			// A throttled submit is retried within the item's timeout, and never for more than a minute.
			const deadline = Date.now() + Math.min(state.settings.timeoutMs, SUBMIT_RETRY_BUDGET_MS);
			const submitted = await api.submitEditTask(request, state.itemIndex, deadline);
			state.taskId = submitted.taskId;
			state.requestId = submitted.requestId;
			state.snapshot = {
				taskId: submitted.taskId,
				status: submitted.status,
				requestId: submitted.requestId,
			};
			scheduleNextCheck(state);
			state.deadline = Date.now() + state.settings.timeoutMs;
		} catch (error) {
			state.error = asNodeError(this, error, state.itemIndex);
		}
	});
	throwFirstFailure(this, states);

	// Stages 3 and 4: wait for all tasks together, then download.
	return await waitAndDownload(this, api, states);
}

const SUBMIT_RETRY_BUDGET_MS = 60_000;

/** Uploads the item's files (free: nothing is billed before the submit) and fills in their URLs. */
async function uploadFiles(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	{ request, uploads }: PreparedEditTask,
): Promise<EditTaskRequest> {
	const media = request.input.media.map((entry) => ({ ...entry }));
	for (const { mediaIndex, media: file } of uploads) {
		const source = await uploadSourceOf(ctx, file);
		media[mediaIndex].url = await api.uploadFile(source, request.model, file.itemIndex);
	}
	return { ...request, input: { ...request.input, media } };
}
