import type { INodeProperties, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_MAX_VIDEO_SIZE_MB, MIB } from '../schemas/limits';
import type { CompletionEvent } from '../schemas/completionEvent';
import {
	EVENT_BODY_MAX_BYTES,
	EVENT_STATUSES,
	isHappyHorseModel,
	parseCompletionEvent,
} from '../schemas/completionEvent';
import { FINAL_STATUSES } from '../schemas/task';
import { deliveryDedup } from '../pipeline/deliveryDedup';
import type { FinishedTaskSettings } from '../pipeline/finishedTask';
import { finishedTaskItem, queryFinishedTask } from '../pipeline/finishedTask';
import { DEFAULT_BINARY_PROPERTY, DEFAULT_TIMEOUT_SECONDS } from '../pipeline/itemState';
import { createApiClient } from '../transport';
import { certificateLoader, tokenProblem, verifyDelivery } from '../transport/eventBridgeSignature';
import { CREDENTIAL_TYPE } from '../transport/request';
import { optionsProperty } from './options.description';

/** The options the trigger shares with the node's Options, shown when it downloads. */
const DOWNLOAD_OPTIONS = ['binaryPropertyName', 'maxVideoSizeMb'];

export const description: INodeProperties[] = [
	{
		displayName:
			'Give this node\'s Production URL to an EventBridge rule (HTTP target, Body: complete event) and activate the workflow. See the <a href="https://github.com/OWNER/n8n-nodes-happyhorse/blob/main/docs/TRIGGER.md">setup guide</a>.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		default: ['SUCCEEDED', 'FAILED'],
		description:
			'The ends of a task that start the workflow; events of other ends are answered and dropped without a query',
		options: EVENT_STATUSES.map((status) => ({
			name: status.charAt(0) + status.slice(1).toLowerCase(),
			value: status,
		})),
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: true,
		description:
			"Whether to download a succeeded task's video into the output item, after EventBridge has been answered",
	},
	{
		displayName: 'Verify Signature',
		name: 'verifySignature',
		type: 'boolean',
		default: true,
		description:
			"Whether to refuse (401) every delivery that EventBridge did not sign for this node's Production URL within the last 60 s. Off, anyone who knows the URL can make the workflow query any task ID of your account and start an execution; turn it off only behind a proxy that checks deliveries itself. The credential's Event Token, when set, is checked either way.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: (optionsProperty.options as INodeProperties[])
			.filter((option) => DOWNLOAD_OPTIONS.includes(option.name))
			.map((option) => ({ ...option, displayOptions: { show: { '/downloadVideo': [true] } } })),
	},
];

/**
 * The answer to EventBridge comes within this budget: the one query included, well inside the
 * 5 s a receiver has (docs/API.md, "Completion events").
 */
const QUERY_BUDGET_MS = 3_000;
/** A task that is not final yet at the API: EventBridge is asked to push again later. */
const RETRY_AFTER_SECONDS = 30;

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

function send(ctx: IWebhookFunctions, answer: Answer): void {
	const res = ctx.getResponseObject();
	res.statusCode = answer.status;
	res.setHeader('content-type', 'application/json; charset=utf-8');
	for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
	res.end(JSON.stringify(answer.body));
}

/** Answers the delivery now and starts no execution. */
function answerOnly(ctx: IWebhookFunctions, answer: Answer): IWebhookResponseData {
	send(ctx, answer);
	return { noWebhookResponse: true };
}

interface Delivery {
	rawBody: Buffer;
	headers: Record<string, string | string[] | undefined>;
}

/** The delivery's exact bytes, as n8n read them; a JSON body of a bounded size only. */
async function readDelivery(ctx: IWebhookFunctions): Promise<Delivery | Answer> {
	const req = ctx.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & {
		rawBody?: Buffer;
		readRawBody?: () => Promise<void>;
	};
	const contentType = String(req.headers['content-type'] ?? '');
	if (!/^application\/json\s*(;|$)/i.test(contentType)) {
		return { status: 415, body: { message: 'A completion event is JSON (application/json)' } };
	}
	if (Number(req.headers['content-length']) > EVENT_BODY_MAX_BYTES) {
		return { status: 413, body: { message: 'Larger than a completion event' } };
	}
	if (!req.rawBody && req.readRawBody) await req.readRawBody();
	const rawBody = Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0);
	if (rawBody.length > EVENT_BODY_MAX_BYTES) {
		return { status: 413, body: { message: 'Larger than a completion event' } };
	}
	return { rawBody, headers: req.headers };
}

/**
 * The download settings. A bad one is an error execution n8n shows (and a 500, so EventBridge
 * pushes again once it is fixed), never a silent default.
 */
function readSettings(ctx: IWebhookFunctions): FinishedTaskSettings {
	const options = ctx.getNodeParameter('options', {}) as Record<string, unknown>;
	const name = options.binaryPropertyName ?? DEFAULT_BINARY_PROPERTY;
	const megabytes = options.maxVideoSizeMb ?? DEFAULT_MAX_VIDEO_SIZE_MB;
	if (typeof name !== 'string' || name.trim() === '') {
		throw new NodeOperationError(
			ctx.getNode(),
			'Options → Put Output Video in Field is empty: name the output field for the video, e.g. data',
		);
	}
	if (typeof megabytes !== 'number' || !(megabytes > 0)) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Options → Max Video Size (MB) must be a number of MB, more than 0',
		);
	}
	return {
		downloadVideo: ctx.getNodeParameter('downloadVideo', true) as boolean,
		binaryPropertyName: name.trim(),
		maxVideoBytes: Math.floor(megabytes * MIB),
		downloadTimeoutMs: DEFAULT_TIMEOUT_SECONDS * 1000,
	};
}

/**
 * What the delivery is about, with the statuses chosen, or the answer that ends it (an event of
 * no interest, a bad one).
 */
async function checkDelivery(
	ctx: IWebhookFunctions,
): Promise<{ event: CompletionEvent; statuses: string[] } | Answer> {
	const delivery = await readDelivery(ctx);
	if (!('rawBody' in delivery)) return delivery;
	const credentials = await ctx.getCredentials<{ eventToken?: string }>(CREDENTIAL_TYPE);
	const expectedToken = credentials.eventToken || undefined;
	if (ctx.getNodeParameter('verifySignature', true) as boolean) {
		const verdict = await verifyDelivery(
			{
				headers: delivery.headers,
				rawBody: delivery.rawBody,
				signedUrl: ctx.getNodeWebhookUrl('default') ?? '',
				expectedToken,
				now: Date.now(),
			},
			certificateLoader(ctx),
		);
		if (!verdict.ok) {
			return verdict.retryable
				? { status: 503, body: { message: verdict.reason } }
				: { status: 401, body: { message: `Refused: ${verdict.reason}` } };
		}
	} else if (expectedToken) {
		const wrongToken = tokenProblem(delivery.headers, expectedToken);
		if (wrongToken) return { status: 401, body: { message: `Refused: ${wrongToken}` } };
	}
	let body: unknown;
	try {
		body = JSON.parse(delivery.rawBody.toString('utf8'));
	} catch {
		return { status: 400, body: { message: 'The body is not JSON' } };
	}
	const parsed = parseCompletionEvent(body);
	if (parsed.kind === 'foreign')
		return { status: 200, body: { ignored: 'not a task-finished event' } };
	if (parsed.kind === 'invalid') {
		return { status: 400, body: { message: `Not a task-finished event: ${parsed.problem}` } };
	}
	const { event } = parsed;
	if (!isHappyHorseModel(event.model)) {
		return {
			status: 200,
			body: { ignored: `model ${event.model.slice(0, 64)} is not HappyHorse` },
		};
	}
	const statuses = ctx.getNodeParameter('statuses', []) as string[];
	if (!statuses.includes(event.reportedStatus)) {
		return {
			status: 200,
			body: { ignored: `status ${event.reportedStatus.slice(0, 20)} not chosen` },
		};
	}
	return { event, statuses };
}

/**
 * One delivery of EventBridge: checked, answered within a second or so, and, for a HappyHorse
 * task that ended as chosen, turned into one execution with the task as the API reports it
 * (docs/TRIGGER.md, "What the trigger does with a delivery").
 */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const checked = await checkDelivery(this);
	if (!('event' in checked)) return answerOnly(this, checked);
	const { event, statuses } = checked;

	const node = this.getNode();
	const scope = `${this.getWorkflow().id ?? ''}/${node.id}`;
	const keys = [`${scope}/event/${event.id}`, `${scope}/task/${event.taskId}`];
	if (!deliveryDedup.claim(keys)) {
		return answerOnly(this, { status: 200, body: { duplicate: event.taskId } });
	}
	let taken = false;
	try {
		const settings = readSettings(this);
		const api = await createApiClient(this);
		const state = await queryFinishedTask(this, api, event.taskId, settings, QUERY_BUDGET_MS);
		const status = state.snapshot?.status;
		if (state.error || !status) {
			return answerOnly(this, {
				status: 503,
				body: { message: `Task ${event.taskId} could not be read now; push again later` },
				headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
			});
		}
		if (!FINAL_STATUSES.has(status)) {
			return answerOnly(this, {
				status: 503,
				body: { message: `Task ${event.taskId} is still ${status} at the API; push again later` },
				headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
			});
		}
		deliveryDedup.taken(keys);
		taken = true;
		if (!statuses.includes(status)) {
			return answerOnly(this, { status: 200, body: { ignored: `status ${status} not chosen` } });
		}
		send(this, { status: 200, body: { accepted: event.taskId } });
		const item = await finishedTaskItem(this, state, event.model, {
			event: { id: event.id, time: event.time ?? null, region: event.region ?? null },
		});
		return { noWebhookResponse: true, workflowData: [[item]] };
	} finally {
		if (!taken) deliveryDedup.released(keys);
	}
}
