/**
 * What Model Studio and EventBridge do when a task ends (docs/API.md, "Completion events"): a
 * "task finished" CloudEvent for every DashScope task of the account, pushed to an HTTP target
 * with EventBridge's version 2 signature, and pushed again when the target does not answer 2xx.
 *
 * The signature is made here, independently of the node's check: the string to sign as the
 * public implementations build it (one of the variants the node accepts, chosen per push), signed
 * with a fresh RSA key whose public half the test serves as the signing certificate.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

import { formatBeijingTime } from './http';
import { phaseOf, toNativeStatus, type TaskBoard } from './tasks';
import type { EmulatedTask } from './types';

export type SignedStringVariant =
	'documented' | 'trailingNewline' | 'noTokenLine' | 'noTokenLineTrailingNewline';

/** The signing key of the emulated EventBridge; `publicKeyPem` is what its certificate URL serves. */
export class EventBridgeSigner {
	readonly publicKeyPem: string;
	private readonly privateKey: KeyObject;

	constructor() {
		const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		this.privateKey = privateKey;
		this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
	}

	/** The headers EventBridge sends with `body` pushed to `url`, signed. */
	headers(options: {
		url: string;
		body: string;
		certificateUrl: string;
		token?: string;
		timestamp?: number;
		variant?: SignedStringVariant;
	}): Record<string, string> {
		const variant = options.variant ?? 'documented';
		const fixed: Array<[string, string | undefined]> = [
			['x-eventbridge-signature-timestamp', String(options.timestamp ?? Date.now())],
			['x-eventbridge-hash-method', 'SHA256'],
			['x-eventbridge-signature-version', '2.0'],
			['x-eventbridge-signature-url', options.certificateUrl],
			['x-eventbridge-signature-token', options.token],
		];
		const withoutTokenLine = variant.startsWith('noTokenLine');
		const signedLines = fixed
			.filter(([name]) => !(withoutTokenLine && name === 'x-eventbridge-signature-token'))
			.map(([name, value]) => `${name}: ${value ?? ''}`);
		const trailing = variant === 'trailingNewline' || variant === 'noTokenLineTrailingNewline';
		const text = `${options.url}\n${signedLines.join('\n')}\n${options.body}${trailing ? '\n' : ''}`;
		const headers: Record<string, string> = {};
		for (const [name, value] of fixed) if (value !== undefined) headers[name] = value;
		headers['x-eventbridge-signature-v2'] = sign(
			'RSA-SHA256',
			Buffer.from(text, 'utf8'),
			this.privateKey,
		).toString('base64');
		return headers;
	}
}

/** Where and how events are pushed; see EventPusher.configure(). */
export interface EventPushSettings {
	/** The HTTP target: the trigger's production webhook URL. */
	url: string;
	signer: EventBridgeSigner;
	certificateUrl: string;
	token?: string;
	/** The bus's region, in the event and its `data` (default cn-beijing). */
	region?: string;
	/** Delay from a task's end to its push (default 0; EventBridge takes about 1–90 s). */
	delayMs?: number;
	/** Pushes again after a non-2xx answer or a network error: EventBridge's retry policy. */
	retries?: number;
	retryDelayMs?: number;
	variant?: SignedStringVariant;
}

/** One HTTP push and how the target answered it. */
export interface Delivery {
	taskId: string;
	eventId: string;
	attempt: number;
	sentAt: number;
	answeredAt?: number;
	/** The HTTP status, or 0 for a network error. */
	status: number;
	body: string;
}

const TICK_MS = 20;

/** The CloudEvent of a finished task, as the HTTP target receives it with Body = complete event. */
export function taskFinishedEvent(
	task: Pick<EmulatedTask, 'id' | 'model' | 'submittedAt' | 'finishedAt'>,
	status: string,
	region = 'cn-beijing',
	eventId: string = randomUUID(),
): Record<string, unknown> {
	const end = task.finishedAt ?? Date.now();
	return {
		datacontenttype: 'application/json;charset=utf-8',
		aliyunaccountid: '1234567890',
		aliyunpublishtime: new Date(end).toISOString(),
		data: {
			start_time: formatBeijingTime(task.submittedAt),
			user_api_unique_key: `apikey:v1:aigc:video-generation:video-synthesis:${task.model}`,
			task_status: status,
			contain_result: false,
			end_time: formatBeijingTime(end),
			task_id: task.id,
			region,
			request_id: randomUUID(),
			api_key_id: '1250',
		},
		aliyunoriginalaccountid: '1234567890',
		specversion: '1.0',
		aliyuneventbusname: 'default',
		id: eventId,
		source: 'acs.dashscope',
		time: new Date(end).toISOString(),
		aliyunregionid: region,
		type: 'dashscope:System:AsyncTaskFinish',
	};
}

/** Watches the tasks and pushes one signed event for each DashScope task that ends. */
export class EventPusher {
	/** Every push made, in order, retries included. */
	readonly deliveries: Delivery[] = [];

	private settings: EventPushSettings | undefined;
	private timer: ReturnType<typeof setInterval> | undefined;
	private readonly pushed = new Set<string>();
	private readonly inFlight = new Set<Promise<void>>();

	constructor(private readonly tasks: TaskBoard) {}

	/** Starts pushing (undefined stops); tasks that ended before are not pushed. */
	configure(settings: EventPushSettings | undefined): void {
		this.settings = settings;
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		if (!settings) return;
		for (const task of this.tasks.all()) if (this.endOf(task)) this.pushed.add(task.id);
		this.timer = setInterval(() => this.tick(), TICK_MS);
		this.timer.unref();
	}

	/** Pushes one event now, as EventBridge would; `overrides` change its fields or headers. */
	async push(
		event: Record<string, unknown>,
		options?: { headers?: Record<string, string>; body?: string; attempt?: number },
	): Promise<Delivery> {
		const settings = this.settings;
		if (!settings) throw new Error('EventPusher: configure() first');
		const body = options?.body ?? JSON.stringify(event);
		const data = event.data as { task_id?: string } | undefined;
		const delivery: Delivery = {
			taskId: String(data?.task_id ?? ''),
			eventId: String(event.id ?? ''),
			attempt: options?.attempt ?? 1,
			sentAt: Date.now(),
			status: 0,
			body: '',
		};
		this.deliveries.push(delivery);
		const headers = {
			'content-type': 'application/json;charset=utf-8',
			...settings.signer.headers({
				url: settings.url,
				body,
				certificateUrl: settings.certificateUrl,
				token: settings.token,
				variant: settings.variant,
			}),
			...options?.headers,
		};
		try {
			const response = await fetch(settings.url, { method: 'POST', headers, body });
			delivery.status = response.status;
			delivery.body = await response.text();
		} catch (error) {
			delivery.body = (error as Error).message;
		}
		delivery.answeredAt = Date.now();
		return delivery;
	}

	/** Waits for every push under way, retries included. */
	async settled(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
	}

	stop(): void {
		this.configure(undefined);
	}

	reset(): void {
		this.stop();
		this.deliveries.length = 0;
		this.pushed.clear();
	}

	/** The native status a task ended with, or undefined while it runs. */
	private endOf(task: EmulatedTask): string | undefined {
		const phase = phaseOf(task.currentStatus, task.family);
		if (phase === 'waiting' || phase === 'running') return undefined;
		return toNativeStatus(task.currentStatus, task.family);
	}

	private tick(): void {
		const settings = this.settings;
		if (!settings) return;
		this.tasks.settle(Date.now());
		for (const task of this.tasks.all()) {
			if (task.family !== 'native' || this.pushed.has(task.id)) continue;
			const status = this.endOf(task);
			if (!status) continue;
			this.pushed.add(task.id);
			const event = taskFinishedEvent(task, status, settings.region);
			const run = this.deliver(event, settings);
			this.inFlight.add(run);
			void run.finally(() => this.inFlight.delete(run));
		}
	}

	private async deliver(
		event: Record<string, unknown>,
		settings: EventPushSettings,
	): Promise<void> {
		const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
		if (settings.delayMs) await wait(settings.delayMs);
		const attempts = 1 + (settings.retries ?? 3);
		for (let attempt = 1; attempt <= attempts && this.settings === settings; attempt++) {
			const delivery = await this.push(event, { attempt });
			if (delivery.status >= 200 && delivery.status < 300) return;
			await wait(settings.retryDelayMs ?? 1000);
		}
	}
}
