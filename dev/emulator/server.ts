/**
 * Loopback emulator of the two HappyHorse API families (DashScope "native" and the Anyfast
 * new-api gateway), for every model of the family, plus the result-file host, so tests can drive the node end to end
 * without a network or an account. Shapes follow docs/API.md (Native family, Anyfast family).
 *
 * This file is the server: it records each request, acts out its fault, checks the API key and
 * the rate limit, and hands it to its route (nativeRoutes.ts, anyfastRoutes.ts, ossUpload.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { EventPusher } from './eventPush';
import { handleAnyfastModels, handleAnyfastQuery, handleAnyfastSubmit } from './anyfastRoutes';
import { Delays, FaultQueue, RateLimiter, actOut, createsTask, sendThrottled } from './faults';
import {
	anyfastError,
	nativeError,
	parseJson,
	readBody,
	recordHeaders,
	send,
	sendJson,
} from './http';
import {
	handleNativeCancel,
	handleNativeList,
	handleNativeQuery,
	handleNativeSubmit,
} from './nativeRoutes';
import { OSS_UPLOAD_PATH, OSS_URL_SCHEME, OssUploads, defaultUploadSettings } from './ossUpload';
import { sampleBytes, sampleMediaOf } from './samples';
import type { RouteContext } from './routeContext';
import { TaskBoard, defaultLimits } from './tasks';
import type {
	EmulatorLimits,
	Family,
	Fault,
	FaultKind,
	IssuedPolicy,
	RecordedRequest,
	ScriptedResponse,
	SubmitFault,
	TaskScript,
	TaskTimes,
	UploadSettings,
	UploadedObject,
} from './types';

const DEFAULT_API_KEY = 'sk-test-emulator-key';
const NATIVE_PREFIX = '/api/v1';
const NATIVE_SUBMIT_PATH = `${NATIVE_PREFIX}/services/aigc/video-generation/video-synthesis`;
const NATIVE_TASKS_PATH = `${NATIVE_PREFIX}/tasks`;
const ANYFAST_GENERATIONS_PATH = '/v1/video/generations';
const ANYFAST_MODELS_PATH = '/v1/models';
const NATIVE_UPLOADS_PATH = `${NATIVE_PREFIX}/uploads`;
// Mimics a presigned OSS URL so clients see a query string they must keep but not interpret.
const RESULT_URL_QUERY = 'Expires=1777777777&OSSAccessKeyId=emu&Signature=abc';

interface RouteMatch {
	kind: RecordedRequest['kind'];
	family?: Family;
	taskId?: string;
}

function matchRoute(method: string, pathname: string): RouteMatch {
	if (method === 'POST' && pathname === NATIVE_SUBMIT_PATH)
		return { kind: 'submit', family: 'native' };
	if (method === 'GET' && pathname === NATIVE_TASKS_PATH) return { kind: 'list', family: 'native' };
	if (method === 'GET' && pathname === NATIVE_UPLOADS_PATH) {
		return { kind: 'policy', family: 'native' };
	}
	if (method === 'POST' && pathname === OSS_UPLOAD_PATH) return { kind: 'upload' };
	const nativeTask = /^\/api\/v1\/tasks\/([^/]+)(\/cancel)?$/.exec(pathname);
	if (nativeTask) {
		const [, taskId, cancel] = nativeTask;
		if (method === 'GET' && !cancel) return { kind: 'query', family: 'native', taskId };
		if (method === 'POST' && cancel) return { kind: 'cancel', family: 'native', taskId };
	}
	if (method === 'POST' && pathname === ANYFAST_GENERATIONS_PATH) {
		return { kind: 'submit', family: 'anyfast' };
	}
	const anyfastTask = /^\/v1\/video\/generations\/([^/]+)$/.exec(pathname);
	if (method === 'GET' && anyfastTask)
		return { kind: 'query', family: 'anyfast', taskId: anyfastTask[1] };
	if (method === 'GET' && pathname === ANYFAST_MODELS_PATH)
		return { kind: 'models', family: 'anyfast' };
	const download = /^\/results\/([^/]+)\.mp4$/.exec(pathname);
	if (method === 'GET' && download) return { kind: 'download', taskId: download[1] };
	return { kind: 'other' };
}

export class HappyHorseEmulator {
	readonly apiKey: string;

	/** Every request received, in order. */
	requests: RecordedRequest[] = [];

	/** Decides the script of each new task; the default keeps each family's default statuses. */
	taskScript: (submitBody: any, family: Family) => TaskScript = () => ({});

	/** Account limits, per family; rate limits are off unless set. reset() restores the default. */
	limits: EmulatorLimits = defaultLimits();

	/** What new upload policies allow; reset() restores 100 MB and 300 s. */
	uploadSettings: UploadSettings = defaultUploadSettings();

	/**
	 * Whether a native submit's oss:// media must come with `X-DashScope-OssResourceResolve:
	 * enable` and name a live object uploaded for the same model, as on DashScope. false accepts
	 * any oss:// URL; reset() restores true.
	 */
	checkOssUrls = true;

	/**
	 * Whether a query of a RUNNING task tells when it started (native `scheduled_time`, Anyfast
	 * `start_time`), as DashScope's answers do (docs/API.md, "Query"). false leaves it out until
	 * the task has ended, so the wait's other anchor, the first RUNNING sighting, is tested too;
	 * reset() restores true.
	 */
	startTimeWhileRunning = true;

	/** How many jobs /samples/jobs.json lists; reset() restores 2. */
	sampleJobCount = 2;

	private server: Server | undefined;
	private port: number | undefined;
	private readonly tasks = new TaskBoard(this);
	/** Off until configured: pushes a signed "task finished" event when a DashScope task ends. */
	readonly events = new EventPusher(this.tasks);
	private readonly uploads = new OssUploads(this);
	private readonly faults = new FaultQueue();
	private readonly rateLimiter = new RateLimiter(this);
	/** The pending 'slow' waits, so stop() need not wait for them. */
	private readonly delays = new Delays();
	private readonly routes: RouteContext = {
		tasks: this.tasks,
		resultUrl: (taskId) => this.resultUrl(taskId),
		ossMediaProblem: (request) => this.uploads.ossMediaProblem(request),
		startTimeWhileRunning: () => this.startTimeWhileRunning,
	};

	constructor(options?: { apiKey?: string }) {
		this.apiKey = options?.apiKey ?? DEFAULT_API_KEY;
	}

	/** The task ids created so far, in creation order. */
	get createdTaskIds(): string[] {
		return this.tasks.createdIds;
	}

	/** How many 429s the rate limiter has sent, by limit. */
	get throttled(): { submit: number; query: number } {
		return this.rateLimiter.throttled;
	}

	/** Every upload policy handed out, in order. */
	get issuedPolicies(): IssuedPolicy[] {
		return this.uploads.issuedPolicies;
	}

	/** What `POST /oss-upload` stored, by object key. */
	get uploadedObjects(): Map<string, UploadedObject> {
		return this.uploads.uploadedObjects;
	}

	/** Listens on 127.0.0.1, on the given port or a free one. */
	async start(port = 0): Promise<void> {
		if (this.server) return;
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				// A bug in the emulator must surface as a failing request, never as a dead server.
				if (res.headersSent) {
					res.destroy();
					return;
				}
				sendJson(res, 500, {
					code: 'InternalError',
					message: `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
				});
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		const address = server.address();
		if (address === null || typeof address === 'string') {
			throw new Error('HappyHorseEmulator: server has no TCP address');
		}
		this.server = server;
		this.port = address.port;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		this.delays.abortAll();
		this.events.stop();
		await new Promise<void>((resolve, reject) => {
			server.close((error) => (error ? reject(error) : resolve()));
			// Keep-alive sockets of the client under test would otherwise hold close() open.
			server.closeAllConnections();
		});
	}

	get origin(): string {
		if (this.port === undefined) throw new Error('HappyHorseEmulator: call start() first');
		return `http://127.0.0.1:${this.port}`;
	}

	get nativeBaseUrl(): string {
		return `${this.origin}${NATIVE_PREFIX}`;
	}

	get anyfastBaseUrl(): string {
		return this.origin;
	}

	requestsOf(kind: RecordedRequest['kind']): RecordedRequest[] {
		return this.requests.filter((request) => request.kind === kind);
	}

	/** The most requests of this kind received in any 1 s window: the rate the account saw. */
	peakPerSecond(kind: RecordedRequest['kind']): number {
		const arrivals = this.requestsOf(kind).map((request) => request.receivedAt);
		let peak = 0;
		for (let last = 0, first = 0; last < arrivals.length; last++) {
			while (arrivals[last] - arrivals[first] >= 1_000) first++;
			peak = Math.max(peak, last - first + 1);
		}
		return peak;
	}

	/** Answers the next request of this kind with exactly this response. */
	failNext(kind: FaultKind, response: ScriptedResponse): void {
		this.faults.add(kind, { type: 'status', ...response });
	}

	/**
	 * Queues a fault for the next request of this kind that has no fault yet (FIFO per kind; one is
	 * used up per request, before authentication, and the request is still recorded). A 'slow'
	 * submit creates its task when the wait ends, even if the client has given up by then, as a
	 * real server that commits late would; after stop() it does nothing.
	 */
	failNextWith(kind: 'submit', fault: SubmitFault): void;
	failNextWith(kind: Exclude<FaultKind, 'submit'>, fault: Fault): void;
	failNextWith(kind: FaultKind, fault: SubmitFault): void {
		if (kind !== 'submit' && createsTask(fault)) {
			throw new Error(`HappyHorseEmulator: a ${kind} request cannot create a task`);
		}
		this.faults.add(kind, fault);
	}

	/** When the task was submitted, started running and reached its end (epoch ms, as of now). */
	taskTimes(taskId: string): TaskTimes {
		return this.tasks.times(taskId);
	}

	resultBytes(taskId: string): Buffer {
		return this.tasks.resultBytes(taskId);
	}

	/**
	 * The bytes behind a media URL of a submit, when they are the emulator's own: a file uploaded
	 * to it (oss://), or one of its samples. Anything else it cannot see.
	 */
	mediaBytes(url: string): Buffer | undefined {
		if (url.startsWith(OSS_URL_SCHEME)) {
			return this.uploads.uploadedObjects.get(url.slice(OSS_URL_SCHEME.length))?.bytes;
		}
		const sample = this.port === undefined ? undefined : sampleMediaOf(url, this.origin);
		return sample && sampleBytes(sample);
	}

	reset(): void {
		// Cleared in place so references a test already holds stay live.
		this.requests.length = 0;
		this.tasks.reset();
		this.faults.clear();
		this.taskScript = () => ({});
		this.limits = defaultLimits();
		this.sampleJobCount = 2;
		this.rateLimiter.reset();
		this.uploadSettings = defaultUploadSettings();
		this.uploads.reset();
		this.checkOssUrls = true;
		this.events.reset();
		this.startTimeWhileRunning = true;
	}

	private resultUrl(taskId: string): string {
		return `${this.origin}/results/${taskId}.mp4?${RESULT_URL_QUERY}`;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const rawBody = await readBody(req);
		const text = rawBody.toString('utf8');
		const method = req.method ?? 'GET';
		const path = req.url ?? '/';
		const pathname = new URL(path, 'http://127.0.0.1').pathname;
		const route = matchRoute(method, pathname);
		const request: RecordedRequest = {
			receivedAt: Date.now(),
			method,
			path,
			headers: recordHeaders(req),
			body: text,
			rawBody,
			json: parseJson(text),
			kind: route.kind,
		};
		if (route.family) request.family = route.family;
		this.requests.push(request);

		const fault =
			route.kind !== 'other' && route.kind !== 'list' ? this.faults.next(route.kind) : undefined;
		await this.respond(req, res, request, route, pathname, fault);
	}

	/** Answers a recorded request, first acting out its fault if it has one. */
	private async respond(
		req: IncomingMessage,
		res: ServerResponse,
		request: RecordedRequest,
		route: RouteMatch,
		pathname: string,
		fault: SubmitFault | undefined,
	): Promise<void> {
		const outcome = await actOut(fault, req, res, this.delays);
		if (outcome === 'answered') return;
		const { afterCreate } = outcome;

		const method = request.method;
		if (route.kind === 'download') {
			this.handleDownload(res, route.taskId ?? '');
			return;
		}
		if (route.kind === 'upload') {
			// OSS authenticates the form's signature; an Authorization header plays no part.
			this.uploads.handleUpload(res, request);
			return;
		}
		if (route.kind === 'other' && method === 'GET' && pathname.startsWith('/samples/')) {
			this.handleSample(res, pathname);
			return;
		}
		if (route.kind === 'other') {
			const message = `No route for ${method} ${pathname}`;
			const isNative = pathname === NATIVE_PREFIX || pathname.startsWith(`${NATIVE_PREFIX}/`);
			sendJson(
				res,
				404,
				isNative ? nativeError('NotFound', message) : { code: 'NotFound', message },
			);
			return;
		}

		const family = route.family ?? 'native';
		if (request.headers.authorization !== `Bearer ${this.apiKey}`) {
			if (family === 'native') {
				sendJson(res, 401, nativeError('InvalidApiKey', 'Invalid API-key provided.'));
			} else {
				sendJson(res, 401, anyfastError('Invalid token', 'new_api_error', 'invalid_api_key'));
			}
			return;
		}
		if (this.rateLimiter.refuses(route.kind, family)) {
			sendThrottled(res, family);
			return;
		}

		const taskId = route.taskId ?? '';
		if (family === 'native') {
			if (route.kind === 'submit') handleNativeSubmit(this.routes, res, request, afterCreate);
			else if (route.kind === 'query') handleNativeQuery(this.routes, res, taskId);
			else if (route.kind === 'cancel') handleNativeCancel(this.routes, res, taskId);
			else if (route.kind === 'policy') this.uploads.handleGetPolicy(res, request);
			else handleNativeList(this.routes, res, request);
		} else {
			if (route.kind === 'submit') handleAnyfastSubmit(this.routes, res, request, afterCreate);
			else if (route.kind === 'query') handleAnyfastQuery(this.routes, res, taskId);
			else handleAnyfastModels(res);
		}
	}

	/**
	 * A job list for the example workflows' HTTP Request node, and the media it links to, so the
	 * examples run end to end with nothing but this server.
	 */
	sampleJobs(): Array<{ videoUrl: string; imageUrl: string; prompt: string }> {
		const templates = [
			{
				video: 'dance',
				image: 'sweater',
				prompt: 'Dress the person in the sweater from the picture',
			},
			{
				video: 'street',
				image: 'beach',
				prompt: 'Replace the background with the beach at sunset from the picture',
			},
		];
		return Array.from({ length: this.sampleJobCount }, (_, index) => {
			const template = templates[index % templates.length];
			const suffix = index < templates.length ? '' : ` (take ${index + 1})`;
			return {
				videoUrl: `${this.origin}/samples/${template.video}.mp4`,
				imageUrl: `${this.origin}/samples/${template.image}.png`,
				prompt: `${template.prompt}${suffix}`,
			};
		});
	}

	/** The prompts the text-to-video example's HTTP Request node fetches, one item each. */
	samplePrompts(): Array<{ prompt: string }> {
		return [
			{ prompt: 'A white horse gallops along a beach at sunrise, waves breaking behind it' },
			{ prompt: 'Timelapse of a city street at night, car lights drawing long trails' },
			{ prompt: 'A paper boat drifts down a rain-filled gutter, seen from just above the water' },
		];
	}

	private handleSample(res: ServerResponse, pathname: string): void {
		if (pathname === '/samples/jobs.json') {
			sendJson(res, 200, this.sampleJobs());
			return;
		}
		if (pathname === '/samples/prompts.json') {
			sendJson(res, 200, this.samplePrompts());
			return;
		}
		const media = sampleMediaOf(pathname);
		if (!media) {
			sendJson(res, 404, { code: 'NotFound', message: `No sample ${pathname}` });
			return;
		}
		const type = media === 'mp4' ? 'video/mp4' : 'image/png';
		send(res, 200, sampleBytes(media), { 'content-type': type });
	}

	private handleDownload(res: ServerResponse, taskId: string): void {
		if (!this.tasks.has(taskId)) {
			sendJson(res, 404, { code: 'NotFound', message: `No result for task ${taskId}` });
			return;
		}
		send(res, 200, this.resultBytes(taskId), { 'content-type': 'video/mp4' });
	}
}
