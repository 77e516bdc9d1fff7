import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { VideoLength } from '../media/videoLength';
import { binaryVideoLength, remoteVideoLength } from '../media/videoLength';
import type { Pricing } from '../schemas/prices';
import {
	DEFAULT_DURATION_SECONDS,
	EDIT_BILLED_SECONDS_MAX,
	accountPricesOf,
	amountOf,
	billedResolution,
	billingRegionOf,
	priceOf,
} from '../schemas/prices';
import type { TaskKind } from '../schemas/taskKinds';
import { typeNoun } from '../schemas/taskRequest';
import type { HappyHorseApi } from '../transport';
import { CREDENTIAL_TYPE } from '../transport/request';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import type { PreparedTask } from './prepare';
import type { CostLimits } from './spendingLimits';
import { checkAndReserve } from './spendingLimits';

/**
 * The estimate stage, over the whole batch between validate and upload: every checked item gets
 * `estimate` (docs/COSTS.md, "Estimates"); the spending limits of the execution are checked for
 * the run as a whole and its share reserved; items with Estimate Only leave the batch with the
 * body that would have been sent. Nothing here is billed: the only requests are the bounded
 * range reads of input video URLs.
 */

/** Input videos read at once (each at most two requests and 1 MB). */
const PROBE_CONCURRENCY = 16;

/** The three cost options of one item. */
interface CostOptions extends CostLimits {
	estimateOnly: boolean;
}

export async function estimateCosts(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	kind: TaskKind,
	prepared: Map<ItemState, PreparedTask>,
): Promise<void> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const region = billingRegionOf(credentials);
	const account = accountPricesOf(credentials);
	const options = new Map<ItemState, CostOptions>();
	// Items that edit the same URL share one read of its header.
	const lengths = new Map<string, Promise<VideoLength>>();
	await mapWithConcurrency([...prepared], PROBE_CONCURRENCY, async ([state, task]) => {
		try {
			options.set(state, readCostOptions(ctx, state.itemIndex));
			const { parameters, model } = task.request;
			const pricing: Pricing = {
				region,
				account,
				model,
				resolution: billedResolution(parameters.resolution),
			};
			const input = kind === 'videoEdit' ? await inputVideoLength(ctx, task, lengths) : undefined;
			state.pricing = pricing;
			state.estimate = estimateOf(task, pricing, input);
		} catch (error) {
			state.error = asNodeError(ctx, error, state.itemIndex);
			prepared.delete(state);
		}
	});
	const dryRun = new Set([...prepared.keys()].filter((state) => options.get(state)?.estimateOnly));
	checkAndReserve(ctx, [...prepared.keys()], dryRun, (state) => options.get(state)!);
	for (const state of dryRun) {
		const task = prepared.get(state);
		prepared.delete(state);
		if (task && !state.error) state.estimatedRequest = api.submitBody(withPlaceholders(task));
	}
	for (const state of prepared.keys()) if (state.error) prepared.delete(state);
}

/**
 * What an item's task is expected to bill (docs/COSTS.md, "Estimates"): the requested duration
 * (default 5 s) for text, first frame and references; for a video edit its input (at most 15 s)
 * plus its output (min(input, 15 s)), or the worst case, 15 + 15 s, when the input's length
 * could not be read.
 */
function estimateOf(task: PreparedTask, pricing: Pricing, input: VideoLength | undefined) {
	const estimate: IDataObject = {};
	let seconds: number;
	if (input === undefined) {
		const duration = task.request.parameters.duration;
		seconds = typeof duration === 'number' ? duration : DEFAULT_DURATION_SECONDS;
	} else {
		const billed =
			input.seconds === undefined
				? EDIT_BILLED_SECONDS_MAX
				: Math.min(input.seconds, EDIT_BILLED_SECONDS_MAX);
		seconds = billed + billed;
		estimate.inputSeconds = billed;
		estimate.outputSeconds = billed;
		if (input.problem !== undefined) {
			estimate.worstCase = `The length of the input video could not be read (${input.problem}): assumed ${EDIT_BILLED_SECONDS_MAX} s in and ${EDIT_BILLED_SECONDS_MAX} s out, the most a video edit bills`;
		}
	}
	const price = priceOf(pricing.region, pricing.account, pricing.model, pricing.resolution);
	return {
		billedSeconds: seconds,
		amount: amountOf(seconds, price),
		currency: price?.currency ?? null,
		resolution: pricing.resolution ?? String(task.request.parameters.resolution),
		pricePerSecond: price?.perSecond ?? null,
		priceSource: price?.source ?? null,
		...estimate,
	};
}

/** The input video's length: from the file when it is one, else from its URL's header. */
async function inputVideoLength(
	ctx: IExecuteFunctions,
	task: PreparedTask,
	lengths: Map<string, Promise<VideoLength>>,
): Promise<VideoLength> {
	const media = task.request.input.media ?? [];
	const file = task.uploads.find((upload) => media[upload.mediaIndex]?.type === 'video');
	if (file) return binaryVideoLength(file.media);
	const url = media.find((entry) => entry.type === 'video')?.url;
	if (url === undefined) return { problem: 'there is no input video' };
	let length = lengths.get(url);
	if (!length) {
		length = remoteVideoLength(ctx, url).then(({ seconds, problem }) =>
			seconds === undefined ? { problem } : { seconds },
		);
		lengths.set(url, length);
	}
	return await length;
}

/** The body with each file to upload named where its oss:// URL would stand. */
function withPlaceholders(task: PreparedTask) {
	const media = (task.request.input.media ?? []).map((entry) => ({ ...entry }));
	for (const { mediaIndex, media: file } of task.uploads) {
		media[mediaIndex].url = `oss://pending-upload/${file.fileName}`;
	}
	if (task.request.input.media === undefined) return task.request;
	return { ...task.request, input: { ...task.request.input, media } };
}

const COST_OPTION_LABELS = {
	estimateOnly: 'Options → Estimate Only',
	maxCostPerExecution: 'Options → Max Cost per Execution',
	maxBilledSecondsPerExecution: 'Options → Max Billed Seconds per Execution',
};

/** An item's cost options; any may be an expression, so each is checked. */
function readCostOptions(ctx: IExecuteFunctions, itemIndex: number): CostOptions {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const refuse = (option: keyof typeof COST_OPTION_LABELS, problem: string) =>
		new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndex}: ${COST_OPTION_LABELS[option]} ${problem}`,
			{ itemIndex },
		);
	const estimateOnly = options.estimateOnly ?? false;
	if (typeof estimateOnly !== 'boolean') {
		throw refuse('estimateOnly', `must be true or false, got ${typeNoun(estimateOnly)}`);
	}
	const limit = (option: 'maxCostPerExecution' | 'maxBilledSecondsPerExecution') => {
		const value = options[option];
		if (value === undefined || value === null || value === '') return undefined;
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			throw refuse(option, `must be a number, got ${typeNoun(value)}`);
		}
		if (value < 0) throw refuse(option, 'must be 0 or more');
		return value;
	};
	return {
		estimateOnly,
		maxCost: limit('maxCostPerExecution'),
		maxSeconds: limit('maxBilledSecondsPerExecution'),
	};
}
