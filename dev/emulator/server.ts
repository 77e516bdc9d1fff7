/**
 * Loopback emulator of the two HappyHorse video-edit API families (DashScope "native" and the
 * Anyfast new-api gateway) plus the result-file host, so tests can drive the node end to end
 * without a network or an account. Shapes follow /work/shared/API-NOTES.md.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Family = 'native' | 'anyfast';

export interface RecordedRequest {
	method: string;
	/** Path plus query string, exactly as received. */
	path: string;
	/** Lower-cased names; multi-valued headers joined with ', '. */
	headers: Record<string, string>;
	/** Raw body as utf8 text ('' if none). */
	body: string;
	/** The body's exact bytes: binary-safe where `body` is not (multipart uploads). */
	rawBody: Buffer;
	/** JSON.parse(body) when it parses, else undefined. */
	json?: unknown;
	kind:
		'submit' | 'query' | 'cancel' | 'list' | 'models' | 'download' | 'policy' | 'upload' | 'other';
	/** Set for API routes (the upload host, like the result host, is no API route). */
	family?: Family;
	/** When the request arrived (epoch ms): benchmarks measure detection lag with it. */
	receivedAt: number;
}

export interface TaskScript {
	/** Statuses returned by successive queries of this task, in the vocabulary of the family that created it; the last one repeats. */
	statuses?: string[];
	/** For a FAILED/FAILURE end: the task's own code and message. */
	failure?: { code: string; message: string };
	/** Bytes served at the result URL (default: deterministic bytes derived from the task id, see resultBytes()). */
	videoBytes?: Buffer;
	/**
	 * Makes the task follow the clock instead of `statuses`: PENDING while the family's account
	 * already runs `limits.maxRunningTasks` time-based tasks, then RUNNING for this long, then
	 * SUCCEEDED (FAILED when `failure` is given). Lets benchmarks see real queueing.
	 */
	durationMs?: number;
}

export interface ScriptedResponse {
	status: number;
	body: string | object;
	headers?: Record<string, string>;
}

type ScriptableKind = 'submit' | 'query' | 'download' | 'cancel' | 'models' | 'policy' | 'upload';

/** The request kinds a fault can be queued for. */
export type FaultKind = ScriptableKind;

/** A misbehaviour of the server for one request; see failNextWith(). */
export type Fault =
	/** Answer with exactly this status, body and headers (what failNext() queues). */
	| ({ type: 'status' } & ScriptedResponse)
	/** Destroy the socket without answering: the client sees ECONNRESET / socket hang up. */
	| { type: 'reset' }
	/** Wait, then answer normally (or with `then`); other requests are served meanwhile. */
	| { type: 'slow'; delayMs: number; then?: Fault }
	/** 200 application/json whose body is cut off mid-object. */
	| { type: 'malformed' }
	/** 502 text/html from the proxy in front of the API, as nginx sends it. */
	| { type: 'html502' };

/** Faults that only make sense for a submit, because they commit a task before failing. */
export type SubmitFault =
	| Fault
	/** The task is created, then the socket is destroyed: a server that crashed after committing. */
	| { type: 'reset'; afterCreate: true }
	/** The task is created, then 500 InternalError: the client cannot know it exists. */
	| { type: 'status500AfterCreate' }
	| { type: 'slow'; delayMs: number; then?: SubmitFault };

/** Per-account limits. Each family is its own account, so each has its own windows and slots. */
export interface EmulatorLimits {
	/** Submits admitted in any sliding 1000 ms window; more get 429. Unset: unlimited. */
	submitsPerSecond?: number;
	/** Status queries, cancels and lists admitted together in any sliding 1000 ms window. */
	queriesPerSecond?: number;
	/** Time-based tasks RUNNING at once; further ones wait PENDING in submit order. */
	maxRunningTasks: number;
}

/** An upload policy handed out by `GET /api/v1/uploads?action=getPolicy`. */
export interface IssuedPolicy {
	/** Base64 of the OSS policy document, as sent in the `policy` form field. */
	policy: string;
	/** Base64 HMAC-SHA1 of `policy`, as sent in the `Signature` form field. */
	signature: string;
	/** Keys uploaded with this policy must start with `uploadDir + '/'`. */
	uploadDir: string;
	/** The model the policy was asked for; its objects only work in submits for this model. */
	model: string;
	issuedAt: number;
	/** Epoch ms after which OSS refuses the policy; a test may move it to simulate expiry. */
	expiresAt: number;
	/** Largest file the policy admits, in bytes. */
	maxFileSizeBytes: number;
}

/** An object stored by `POST /oss-upload`, under its key. */
export interface UploadedObject {
	key: string;
	/** The file part's content, byte for byte. */
	bytes: Buffer;
	/** The file part's Content-Type header, undefined when the part had none. */
	contentType?: string;
	/** The file part's `filename` parameter, undefined when the part had none. */
	fileName?: string;
	/** Names of all form parts in the order received, `file` included (last). */
	fieldOrder: string[];
	/** Values of the text fields, under their names as received. */
	fields: Record<string, string>;
	/** The model of the policy it was uploaded with. */
	model: string;
	uploadedAt: number;
	/** Epoch ms after which `oss://key` is refused (48 h); a test may move it. */
	expiresAt: number;
}

/** What getPolicy hands out; reset() restores the defaults. */
export interface UploadSettings {
	/** `max_file_size_mb` of new policies; larger files get 413 (fractions allowed, for tests). */
	maxFileSizeMb: number;
	/** `expire_in_seconds` of new policies. */
	expireInSeconds: number;
}

export interface TaskTimes {
	submittedAt: number;
	startedAt?: number;
	finishedAt?: number;
}

/** Where a task is in its life, independent of the family's status vocabulary. */
type Phase = 'waiting' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'unknown';

interface EmulatedTask {
	id: string;
	family: Family;
	model: string;
	prompt: string;
	script: TaskScript;
	statuses: string[];
	queryCount: number;
	/** Last status a query returned (the family's vocabulary); the initial one before any query. */
	currentStatus: string;
	canceled: boolean;
	submittedAt: number;
	startedAt?: number;
	finishedAt?: number;
	/** Set for a time-based task (TaskScript.durationMs); its status then follows the clock. */
	durationMs?: number;
	/** When a started time-based task stops RUNNING; finishedAt is set once the clock passes it. */
	endsAt?: number;
	/** The gateway wraps the upstream DashScope output, whose task id differs from its own. */
	upstreamTaskId: string;
}

/** The time-based tasks of one family's account, for the lazy event simulation in settle(). */
interface AccountQueue {
	/** Not started and not canceled, in submit order (the account runs them FIFO). */
	waiting: EmulatedTask[];
	/** Started tasks that may still hold a slot at or after lastStart. */
	started: EmulatedTask[];
	/** Start time of the most recently started task; later starts can never be earlier. */
	lastStart: number;
}

interface RouteMatch {
	kind: RecordedRequest['kind'];
	family?: Family;
	taskId?: string;
}

const DEFAULT_API_KEY = 'sk-test-emulator-key';
const NATIVE_PREFIX = '/api/v1';
const NATIVE_SUBMIT_PATH = `${NATIVE_PREFIX}/services/aigc/video-generation/video-synthesis`;
const NATIVE_TASKS_PATH = `${NATIVE_PREFIX}/tasks`;
const ANYFAST_GENERATIONS_PATH = '/v1/video/generations';
const ANYFAST_MODELS_PATH = '/v1/models';
const MODEL_ID = 'happyhorse-1.0-video-edit';
const NATIVE_UPLOADS_PATH = `${NATIVE_PREFIX}/uploads`;
const OSS_UPLOAD_PATH = '/oss-upload';
const OSS_ACCESS_KEY_ID = 'LTAI-emulator';
const OSS_OBJECT_ACL = 'private';
const OSS_FORBID_OVERWRITE = 'true';
const OSS_BUCKET = 'dashscope-file-mgr';
const OSS_HOST_ID = `${OSS_BUCKET}.oss-cn-beijing.aliyuncs.com`;
const OSS_URL_SCHEME = 'oss://';
const UPLOAD_CAPACITY_LIMIT_MB = 999999999;
// Temporary files stay usable for 48 hours.
const UPLOADED_OBJECT_TTL_MS = 48 * 60 * 60 * 1000;
const BYTES_PER_MB = 1024 * 1024;

const DEFAULT_STATUSES: Record<Family, string[]> = {
	native: ['PENDING', 'RUNNING', 'SUCCEEDED'],
	anyfast: ['QUEUED', 'IN_PROGRESS', 'SUCCESS'],
};
/** What a time-based task reports in each phase, in each family's vocabulary. */
const TIMED_STATUSES: Record<
	Family,
	Record<'waiting' | 'running' | 'succeeded' | 'failed', string>
> = {
	native: { waiting: 'PENDING', running: 'RUNNING', succeeded: 'SUCCEEDED', failed: 'FAILED' },
	anyfast: { waiting: 'QUEUED', running: 'IN_PROGRESS', succeeded: 'SUCCESS', failed: 'FAILURE' },
};
const DEFAULT_MAX_RUNNING_TASKS = 5;
const RATE_WINDOW_MS = 1000;
const NATIVE_INTERNAL_ERROR_MESSAGE =
	'An internal error has occured, please try again later or contact service support.';
// The page nginx answers with when the API behind it is down.
const NGINX_502_PAGE =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
	'<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const MALFORMED_JSON = '{"output": {"task_status": ';
const DEFAULT_FAILURE = { code: 'InvalidParameter', message: 'The resolution is not valid' };
const MAX_REFERENCE_IMAGES = 5;
const SUCCESS_USAGE = {
	duration: 13.24,
	input_video_duration: 6.62,
	output_video_duration: 6.62,
	video_count: 1,
	SR: 720,
};
// Mimics a presigned OSS URL so clients see a query string they must keep but not interpret.
const RESULT_URL_QUERY = 'Expires=1777777777&OSSAccessKeyId=emu&Signature=abc';
const RESULT_BYTES_LENGTH = 64 * 1024;
// DashScope reports wall-clock times in Beijing time without a zone suffix.
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

const ANYFAST_TO_NATIVE_STATUS: Record<string, string> = {
	NOT_START: 'PENDING',
	SUBMITTED: 'PENDING',
	QUEUED: 'PENDING',
	IN_PROGRESS: 'RUNNING',
	SUCCESS: 'SUCCEEDED',
	FAILURE: 'FAILED',
	UNKNOWN: 'UNKNOWN',
};

const NATIVE_STATUS_PHASE: Record<string, Phase> = {
	PENDING: 'waiting',
	RUNNING: 'running',
	SUSPENDED: 'running',
	SUCCEEDED: 'succeeded',
	FAILED: 'failed',
	CANCELED: 'canceled',
	UNKNOWN: 'unknown',
};

const ANYFAST_PROGRESS: Record<Phase, string> = {
	waiting: '0%',
	running: '50%',
	succeeded: '100%',
	failed: '100%',
	canceled: '0%',
	unknown: '0%',
};

function toNativeStatus(status: string, family: Family): string {
	return family === 'anyfast' ? (ANYFAST_TO_NATIVE_STATUS[status] ?? status) : status;
}

function phaseOf(status: string, family: Family): Phase {
	// A scripted status outside the known vocabulary is treated as work in progress.
	return NATIVE_STATUS_PHASE[toNativeStatus(status, family)] ?? 'running';
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pad(value: number, width = 2): string {
	return String(value).padStart(width, '0');
}

/** `YYYY-MM-DD HH:mm:ss.SSS` in Beijing wall-clock time. */
function formatBeijingTime(epochMs: number): string {
	const d = new Date(epochMs + BEIJING_OFFSET_MS);
	const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
	const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
	return `${date} ${time}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function epochSeconds(epochMs: number | undefined): number {
	return epochMs === undefined ? 0 : Math.floor(epochMs / 1000);
}

/** A minimal ISO-BMFF `ftyp` box, so the default result at least starts like an MP4. */
function ftypBox(): Buffer {
	const brands = ['isom', 'iso2', 'avc1', 'mp41'];
	const size = 16 + brands.length * 4;
	const box = Buffer.alloc(size);
	box.writeUInt32BE(size, 0);
	box.write('ftyp', 4, 'latin1');
	box.write('isom', 8, 'latin1');
	box.writeUInt32BE(0x200, 12);
	brands.forEach((brand, index) => box.write(brand, 16 + index * 4, 'latin1'));
	return box;
}

function defaultResultBytes(taskId: string): Buffer {
	const header = ftypBox();
	const digest = createHash('sha256').update(taskId).digest();
	const bytes = Buffer.alloc(RESULT_BYTES_LENGTH);
	header.copy(bytes, 0);
	for (let offset = header.length; offset < bytes.length; offset += digest.length) {
		digest.copy(bytes, offset);
	}
	return bytes;
}

/** Returns what is wrong with a submit body, or undefined when it is acceptable. */
function validateSubmitBody(body: unknown, family: Family): string | undefined {
	if (!isRecord(body)) return 'The request body must be a JSON object.';
	if (typeof body.model !== 'string' || body.model === '') return 'Field required: model';
	const input = body.input;
	if (!isRecord(input)) return 'Field required: input';
	if (typeof input.prompt !== 'string' || input.prompt === '') {
		return 'Field required: input.prompt (a non-empty string)';
	}
	if (!Array.isArray(input.media)) return 'Field required: input.media (an array)';
	let videoCount = 0;
	let imageCount = 0;
	for (const [index, item] of input.media.entries()) {
		if (!isRecord(item)) return `input.media[${index}] must be an object`;
		if (item.type === 'video') videoCount++;
		else if (item.type === 'reference_image') imageCount++;
		else return `input.media[${index}].type must be "video" or "reference_image"`;
		if (typeof item.url !== 'string' || item.url === '') {
			return `input.media[${index}].url must be a non-empty string`;
		}
		if (family === 'anyfast' && item.url.startsWith(OSS_URL_SCHEME)) {
			// The gateway's upstream account cannot read another account's temporary files.
			return `input.media[${index}].url must be an http(s) URL, oss:// is not supported`;
		}
	}
	if (videoCount !== 1) {
		return `input.media must contain exactly 1 item of type video, got ${videoCount}`;
	}
	if (family === 'native' && imageCount > MAX_REFERENCE_IMAGES) {
		return `input.media may contain at most ${MAX_REFERENCE_IMAGES} items of type reference_image, got ${imageCount}`;
	}
	if (family === 'anyfast' && imageCount !== 1) {
		return `input.media must contain exactly 1 item of type reference_image, got ${imageCount}`;
	}
	return undefined;
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

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

function recordHeaders(req: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, values] of Object.entries(req.headersDistinct)) {
		if (values) headers[name] = values.join(', ');
	}
	return headers;
}

function parseJson(text: string): unknown {
	if (text === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function send(
	res: ServerResponse,
	status: number,
	payload: string | Buffer,
	headers: Record<string, string>,
): void {
	// A slow answer may outlive its client (timeout) or the server (stop()): nothing to write to.
	if (res.destroyed || res.writableEnded) return;
	res.statusCode = status;
	res.setHeader('content-length', Buffer.byteLength(payload));
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.end(payload);
}

function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	send(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

function defaultUploadSettings(): UploadSettings {
	return { maxFileSizeMb: 100, expireInSeconds: 300 };
}

function defaultLimits(): EmulatorLimits {
	return { maxRunningTasks: DEFAULT_MAX_RUNNING_TASKS };
}

/** Faults that commit a task, which only a submit can do. */
function createsTask(fault: SubmitFault | undefined): boolean {
	if (!fault) return false;
	if (fault.type === 'slow') return createsTask(fault.then);
	return (
		fault.type === 'status500AfterCreate' ||
		(fault.type === 'reset' && 'afterCreate' in fault && fault.afterCreate)
	);
}

/** One part of a multipart/form-data body. */
interface FormPart {
	/** The `name` parameter of its Content-Disposition. */
	name: string;
	/** The `filename` parameter, when present. */
	fileName?: string;
	/** Its Content-Type header, when present. */
	contentType?: string;
	/** Its content, a view into the request body. */
	data: Buffer;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const DASH = 0x2d;

/** The boundary of a multipart/form-data Content-Type, or undefined for anything else. */
function multipartBoundary(contentType: string | undefined): string | undefined {
	if (contentType === undefined) return undefined;
	const [type, ...params] = contentType.split(';');
	if (type.trim().toLowerCase() !== 'multipart/form-data') return undefined;
	for (const param of params) {
		const match = /^\s*boundary\s*=\s*(?:"([^"]+)"|(\S+))\s*$/i.exec(param);
		const boundary = match?.[1] ?? match?.[2];
		// RFC 2046: 1 to 70 characters.
		if (boundary !== undefined && boundary.length <= 70) return boundary;
	}
	return undefined;
}

/** The parameters of a header value such as `form-data; name="a"; filename="b.mp4"`. */
function headerParams(value: string): Record<string, string> {
	const params: Record<string, string> = {};
	const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
	for (const match of value.matchAll(pattern)) {
		const quoted = match[2]?.replace(/\\(.)/g, '$1');
		params[match[1].toLowerCase()] = quoted ?? match[3].trim();
	}
	return params;
}

/**
 * Splits a multipart/form-data body (RFC 7578) into its parts, working on bytes so binary
 * content survives exactly. Returns a description of the problem when the body is malformed.
 */
function parseMultipart(body: Buffer, boundary: string): FormPart[] | string {
	const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
	// The first delimiter may open the body without the CRLF; a preamble before it is ignored.
	let pos: number;
	if (body.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2))) {
		pos = delimiter.length - 2;
	} else {
		const first = body.indexOf(delimiter);
		if (first < 0) return 'the body does not contain the boundary';
		pos = first + delimiter.length;
	}
	const parts: FormPart[] = [];
	for (;;) {
		if (body[pos] === DASH && body[pos + 1] === DASH) return parts;
		// Transport padding may follow a delimiter.
		while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
		if (!body.subarray(pos, pos + 2).equals(CRLF)) {
			return 'a boundary is followed by neither CRLF nor "--"';
		}
		// Searching from the CRLF just read also finds the blank line of a part without headers.
		const headerEnd = body.indexOf(HEADER_END, pos);
		if (headerEnd < 0) return 'the headers of a part do not end';
		const headers: Record<string, string> = {};
		const headerText = body.subarray(pos + 2, Math.max(pos + 2, headerEnd)).toString('utf8');
		for (const line of headerText === '' ? [] : headerText.split('\r\n')) {
			const colon = line.indexOf(':');
			if (colon <= 0) return `a part has the malformed header line "${line}"`;
			headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		}
		const start = headerEnd + HEADER_END.length;
		const end = body.indexOf(delimiter, start);
		if (end < 0) return 'the body ends before the closing boundary';
		const disposition = headers['content-disposition'] ?? '';
		const params = headerParams(disposition);
		if (!/^\s*form-data\s*(;|$)/i.test(disposition) || params.name === undefined) {
			return 'a part has no Content-Disposition: form-data with a name';
		}
		const part: FormPart = { name: params.name, data: body.subarray(start, end) };
		if (params.filename !== undefined) part.fileName = params.filename;
		if (headers['content-type'] !== undefined) part.contentType = headers['content-type'];
		parts.push(part);
		pos = end + delimiter.length;
	}
}

function escapeXml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

/** An error the way OSS answers one: XML with Code, Message, RequestId and HostId. */
function sendOssError(res: ServerResponse, status: number, code: string, message: string): void {
	const requestId = randomBytes(12).toString('hex').toUpperCase();
	const xml =
		'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
		`  <Code>${escapeXml(code)}</Code>\n  <Message>${escapeXml(message)}</Message>\n` +
		`  <RequestId>${requestId}</RequestId>\n  <HostId>${OSS_HOST_ID}</HostId>\n</Error>\n`;
	send(res, status, xml, { 'content-type': 'application/xml', 'x-oss-request-id': requestId });
}

function policyConditionFailed(condition: unknown): string {
	return `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`;
}

function nativeError(code: string, message: string): Record<string, string> {
	return { code, message, request_id: randomUUID() };
}

function anyfastError(message: string, type: string, code: string): object {
	return { error: { message, type, code } };
}

export class HappyHorseEmulator {
	readonly apiKey: string;

	/** Every request received, in order. */
	requests: RecordedRequest[] = [];

	/** Decides the script of each new task; the default keeps each family's default statuses. */
	taskScript: (submitBody: any, family: Family) => TaskScript = () => ({});

	/** The task ids created so far, in creation order. */
	readonly createdTaskIds: string[] = [];

	/** Account limits, per family; rate limits are off unless set. reset() restores the default. */
	limits: EmulatorLimits = defaultLimits();

	/** How many 429s the rate limiter has sent, by limit. */
	readonly throttled = { submit: 0, query: 0 };

	/** What new upload policies allow; reset() restores 100 MB and 300 s. */
	uploadSettings: UploadSettings = defaultUploadSettings();

	/** Every upload policy handed out, in order. */
	readonly issuedPolicies: IssuedPolicy[] = [];

	/** What `POST /oss-upload` stored, by object key. */
	readonly uploadedObjects = new Map<string, UploadedObject>();

	/**
	 * Whether a native submit's oss:// media must come with `X-DashScope-OssResourceResolve:
	 * enable` and name a live object uploaded for the same model, as on DashScope. false accepts
	 * any oss:// URL; reset() restores true.
	 */
	checkOssUrls = true;

	private server: Server | undefined;
	private port: number | undefined;
	private readonly tasks = new Map<string, EmulatedTask>();
	private readonly faults = new Map<FaultKind, SubmitFault[]>();
	private readonly queues: Record<Family, AccountQueue> = {
		native: { waiting: [], started: [], lastStart: 0 },
		anyfast: { waiting: [], started: [], lastStart: 0 },
	};
	/** Admission times inside the current sliding window, per family and limit. */
	private readonly admitted: Record<Family, Record<'submit' | 'query', number[]>> = {
		native: { submit: [], query: [] },
		anyfast: { submit: [], query: [] },
	};
	/** Aborts of the pending 'slow' waits, so stop() need not wait for them. */
	private readonly pendingDelays = new Set<() => void>();
	/** Signs upload policies, as the account's OSS AccessKey secret would. */
	private readonly ossSecret = randomBytes(20).toString('hex');

	constructor(options?: { apiKey?: string }) {
		this.apiKey = options?.apiKey ?? DEFAULT_API_KEY;
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
		for (const abort of [...this.pendingDelays]) abort();
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

	/** Answers the next request of this kind with exactly this response. */
	failNext(kind: ScriptableKind, response: ScriptedResponse): void {
		this.enqueueFault(kind, { type: 'status', ...response });
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
		this.enqueueFault(kind, fault);
	}

	private enqueueFault(kind: FaultKind, fault: SubmitFault): void {
		const queue = this.faults.get(kind) ?? [];
		queue.push(fault);
		this.faults.set(kind, queue);
	}

	/** When the task was submitted, started running and reached its end (epoch ms, as of now). */
	taskTimes(taskId: string): TaskTimes {
		this.settle(Date.now());
		const task = this.tasks.get(taskId);
		if (!task) throw new Error(`HappyHorseEmulator: no task ${taskId}`);
		const times: TaskTimes = { submittedAt: task.submittedAt };
		if (task.startedAt !== undefined) times.startedAt = task.startedAt;
		if (task.finishedAt !== undefined) times.finishedAt = task.finishedAt;
		return times;
	}

	resultBytes(taskId: string): Buffer {
		return this.tasks.get(taskId)?.script.videoBytes ?? defaultResultBytes(taskId);
	}

	reset(): void {
		// Cleared in place so references a test already holds stay live.
		this.requests.length = 0;
		this.createdTaskIds.length = 0;
		this.tasks.clear();
		this.faults.clear();
		this.taskScript = () => ({});
		this.limits = defaultLimits();
		this.sampleJobCount = 2;
		this.throttled.submit = 0;
		this.throttled.query = 0;
		this.uploadSettings = defaultUploadSettings();
		this.issuedPolicies.length = 0;
		this.uploadedObjects.clear();
		this.checkOssUrls = true;
		for (const family of ['native', 'anyfast'] as const) {
			this.queues[family] = { waiting: [], started: [], lastStart: 0 };
			this.admitted[family] = { submit: [], query: [] };
		}
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
			route.kind !== 'other' && route.kind !== 'list'
				? this.faults.get(route.kind)?.shift()
				: undefined;
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
		let afterCreate: ((family: Family) => void) | undefined;
		switch (fault?.type) {
			case undefined:
				break;
			case 'slow':
				if (!(await this.delay(fault.delayMs))) {
					res.destroy();
					return;
				}
				await this.respond(req, res, request, route, pathname, fault.then);
				return;
			case 'status':
				this.sendScripted(res, fault);
				return;
			case 'reset':
				if (!('afterCreate' in fault && fault.afterCreate)) {
					req.socket.destroy();
					return;
				}
				afterCreate = () => req.socket.destroy();
				break;
			case 'malformed':
				send(res, 200, MALFORMED_JSON, { 'content-type': 'application/json' });
				return;
			case 'html502':
				send(res, 502, NGINX_502_PAGE, { 'content-type': 'text/html' });
				return;
			case 'status500AfterCreate':
				afterCreate = (family) => {
					if (family === 'native') {
						sendJson(res, 500, nativeError('InternalError', NATIVE_INTERNAL_ERROR_MESSAGE));
					} else {
						sendJson(
							res,
							500,
							anyfastError(
								'InternalError: upstream request failed',
								'upstream_error',
								'InternalError',
							),
						);
					}
				};
				break;
		}

		const method = request.method;
		if (route.kind === 'download') {
			this.handleDownload(res, route.taskId ?? '');
			return;
		}
		if (route.kind === 'upload') {
			// OSS authenticates the form's signature; an Authorization header plays no part.
			this.handleUpload(res, request);
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
		if (this.throttle(route.kind, family)) {
			// Retry-After tells a well-behaved client how long to back off; the real quota is per second.
			const headers = { 'retry-after': '1' };
			if (family === 'native') {
				sendJson(
					res,
					429,
					nativeError(
						'Throttling.RateQuota',
						'Requests rate limit exceeded, please try again later.',
					),
					headers,
				);
			} else {
				sendJson(
					res,
					429,
					anyfastError('rate limit exceeded', 'rate_limit_error', 'rate_limit_exceeded'),
					headers,
				);
			}
			return;
		}

		const taskId = route.taskId ?? '';
		if (family === 'native') {
			if (route.kind === 'submit') this.handleNativeSubmit(res, request, afterCreate);
			else if (route.kind === 'query') this.handleNativeQuery(res, taskId);
			else if (route.kind === 'cancel') this.handleNativeCancel(res, taskId);
			else if (route.kind === 'policy') this.handleGetPolicy(res, request);
			else this.handleNativeList(res);
		} else {
			if (route.kind === 'submit') this.handleAnyfastSubmit(res, request, afterCreate);
			else if (route.kind === 'query') this.handleAnyfastQuery(res, taskId);
			else this.handleAnyfastModels(res);
		}
	}

	/**
	 * Whether the account's rate limit refuses this request. Only admitted requests use up the
	 * window, so a client that backs off for Retry-After always gets through again.
	 */
	private throttle(kind: RecordedRequest['kind'], family: Family): boolean {
		const limit =
			kind === 'submit'
				? 'submit'
				: kind === 'query' || kind === 'cancel' || kind === 'list'
					? 'query'
					: undefined;
		if (limit === undefined) return false;
		const perSecond =
			limit === 'submit' ? this.limits.submitsPerSecond : this.limits.queriesPerSecond;
		if (perSecond === undefined) return false;
		const now = Date.now();
		const window = this.admitted[family][limit];
		while (window.length > 0 && window[0] <= now - RATE_WINDOW_MS) window.shift();
		if (window.length >= perSecond) {
			this.throttled[limit]++;
			return true;
		}
		window.push(now);
		return false;
	}

	/** Resolves true after ms, or false at once when stop() is called meanwhile. */
	private delay(ms: number): Promise<boolean> {
		return new Promise((resolve) => {
			const finish = (elapsed: boolean): void => {
				clearTimeout(timer);
				this.pendingDelays.delete(abort);
				resolve(elapsed);
			};
			const abort = (): void => finish(false);
			const timer = setTimeout(() => finish(true), Math.max(0, ms));
			this.pendingDelays.add(abort);
		});
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

	/** How many jobs /samples/jobs.json lists; reset() restores 2. */
	sampleJobCount = 2;

	private handleSample(res: ServerResponse, pathname: string): void {
		if (pathname === '/samples/jobs.json') {
			sendJson(res, 200, this.sampleJobs());
			return;
		}
		const media = /^\/samples\/([a-z0-9-]+)\.(mp4|png)$/.exec(pathname);
		if (!media) {
			sendJson(res, 404, { code: 'NotFound', message: `No sample ${pathname}` });
			return;
		}
		const type = media[2] === 'mp4' ? 'video/mp4' : 'image/png';
		send(res, 200, this.resultBytes(`sample-${media[1]}`), { 'content-type': type });
	}

	private sendScripted(res: ServerResponse, scripted: ScriptedResponse): void {
		const isText = typeof scripted.body === 'string';
		const payload = isText ? (scripted.body as string) : JSON.stringify(scripted.body);
		send(res, scripted.status, payload, {
			'content-type': isText ? 'text/html' : 'application/json',
			...scripted.headers,
		});
	}

	private handleDownload(res: ServerResponse, taskId: string): void {
		if (!this.tasks.has(taskId)) {
			sendJson(res, 404, { code: 'NotFound', message: `No result for task ${taskId}` });
			return;
		}
		send(res, 200, this.resultBytes(taskId), { 'content-type': 'video/mp4' });
	}

	private createTask(family: Family, body: Record<string, unknown>, id: string): EmulatedTask {
		const script = this.taskScript(body, family) ?? {};
		const statuses =
			script.statuses && script.statuses.length > 0 ? script.statuses : DEFAULT_STATUSES[family];
		const input = body.input as Record<string, unknown>;
		const timed = script.durationMs !== undefined;
		const task: EmulatedTask = {
			id,
			family,
			model: body.model as string,
			prompt: input.prompt as string,
			script,
			statuses,
			queryCount: 0,
			currentStatus:
				family === 'native' ? 'PENDING' : timed ? TIMED_STATUSES.anyfast.waiting : statuses[0],
			canceled: false,
			submittedAt: Date.now(),
			upstreamTaskId: randomUUID(),
		};
		if (timed) {
			task.durationMs = Math.max(0, script.durationMs ?? 0);
			this.queues[family].waiting.push(task);
		}
		this.tasks.set(id, task);
		this.createdTaskIds.push(id);
		return task;
	}

	/**
	 * Brings every time-based task up to `now`. Instead of timers, this replays what the account
	 * would have done: the oldest waiting task starts at the first instant, no earlier than its
	 * submit or the previous start, when fewer than maxRunningTasks started tasks are still
	 * running, so start times are exact however rarely anyone looks. Starts are committed only
	 * once they are in the past, so a cancel or a new limit still applies to what has not begun.
	 */
	private settle(now: number): void {
		const configured = this.limits.maxRunningTasks ?? DEFAULT_MAX_RUNNING_TASKS;
		for (const family of ['native', 'anyfast'] as const) {
			const queue = this.queues[family];
			while (queue.waiting.length > 0 && configured >= 1) {
				const next = queue.waiting[0];
				let at = Math.max(next.submittedAt, queue.lastStart);
				for (;;) {
					const busyUntil = queue.started
						.map((task) => task.endsAt ?? 0)
						.filter((endsAt) => endsAt > at);
					if (busyUntil.length < configured) break;
					// Full at `at`: the earliest end frees the next slot.
					at = Math.min(...busyUntil);
				}
				if (at > now) break;
				queue.waiting.shift();
				next.startedAt = at;
				next.endsAt = at + (next.durationMs ?? 0);
				queue.lastStart = at;
				queue.started.push(next);
			}
			// A task that ended by lastStart can hold no slot at any future start.
			for (const task of queue.started) this.refreshTimed(task, now);
			queue.started = queue.started.filter((task) => (task.endsAt ?? 0) > queue.lastStart);
		}
	}

	/** Sets currentStatus and finishedAt of a started time-based task from the clock. */
	private refreshTimed(task: EmulatedTask, now: number): void {
		const vocabulary = TIMED_STATUSES[task.family];
		const endsAt = task.endsAt ?? now;
		if (now < endsAt) {
			task.currentStatus = vocabulary.running;
			return;
		}
		task.finishedAt = endsAt;
		task.currentStatus = task.script.failure ? vocabulary.failed : vocabulary.succeeded;
	}

	/** Anyfast's progress string; a time-based task reports how much of its run has passed. */
	private anyfastProgress(task: EmulatedTask, phase: Phase): string {
		if (phase !== 'running' || task.startedAt === undefined || !task.durationMs) {
			return ANYFAST_PROGRESS[phase];
		}
		const elapsed = (Date.now() - task.startedAt) / task.durationMs;
		return `${Math.min(99, Math.max(0, Math.floor(elapsed * 100)))}%`;
	}

	/** Moves the task one query forward and returns the status that query sees. */
	private advance(task: EmulatedTask): string {
		if (task.durationMs !== undefined) {
			// The clock, not the number of queries, decides; settle() has already set the status.
			this.settle(Date.now());
			task.queryCount++;
			return task.currentStatus;
		}
		if (task.canceled) {
			task.currentStatus = 'CANCELED';
		} else {
			const index = Math.min(task.queryCount, task.statuses.length - 1);
			task.currentStatus = task.statuses[index];
			task.queryCount++;
		}
		const phase = phaseOf(task.currentStatus, task.family);
		const now = Date.now();
		const hasStarted = phase === 'running' || phase === 'succeeded' || phase === 'failed';
		if (hasStarted && task.startedAt === undefined) task.startedAt = now;
		if ((phase === 'succeeded' || phase === 'failed') && task.finishedAt === undefined) {
			task.finishedAt = now;
		}
		return task.currentStatus;
	}

	private findTask(taskId: string, family: Family): EmulatedTask | undefined {
		const task = this.tasks.get(taskId);
		return task && task.family === family ? task : undefined;
	}

	private handleNativeSubmit(
		res: ServerResponse,
		request: RecordedRequest,
		afterCreate?: (family: Family) => void,
	): void {
		if (request.headers['x-dashscope-async'] !== 'enable') {
			sendJson(
				res,
				403,
				nativeError('AccessDenied', 'current user api does not support synchronous calls'),
			);
			return;
		}
		const problem =
			request.json === undefined
				? 'The request body is not valid JSON.'
				: validateSubmitBody(request.json, 'native');
		if (problem !== undefined) {
			sendJson(res, 400, nativeError('InvalidParameter', problem));
			return;
		}
		const ossProblem = this.ossMediaProblem(request);
		if (ossProblem !== undefined) {
			sendJson(res, 400, nativeError(ossProblem.code, ossProblem.message));
			return;
		}
		const task = this.createTask('native', request.json as Record<string, unknown>, randomUUID());
		if (afterCreate) {
			afterCreate('native');
			return;
		}
		sendJson(res, 200, {
			output: { task_id: task.id, task_status: 'PENDING' },
			request_id: randomUUID(),
		});
	}

	/**
	 * What is wrong with the oss:// media of a native submit, if anything: DashScope resolves them
	 * only when asked to, and only to a live temporary file uploaded for the same model.
	 */
	private ossMediaProblem(request: RecordedRequest): { code: string; message: string } | undefined {
		const body = request.json as Record<string, unknown>;
		const media = (body.input as Record<string, unknown>).media as Array<{ url: string }>;
		const ossUrls = media.map((item) => item.url).filter((url) => url.startsWith(OSS_URL_SCHEME));
		if (ossUrls.length === 0 || !this.checkOssUrls) return undefined;
		if (request.headers['x-dashscope-ossresourceresolve'] !== 'enable') {
			return {
				code: 'InvalidParameter.DataInspection',
				message: 'The media format is not supported or incorrect for the data inspection.',
			};
		}
		const now = Date.now();
		for (const url of ossUrls) {
			const object = this.uploadedObjects.get(url.slice(OSS_URL_SCHEME.length));
			if (!object || object.model !== body.model || now > object.expiresAt) {
				return { code: 'InvalidParameter', message: `The provided URL is invalid: ${url}` };
			}
		}
		return undefined;
	}

	/** `GET /api/v1/uploads?action=getPolicy&model=…`: a signed policy for one upload to OSS. */
	private handleGetPolicy(res: ServerResponse, request: RecordedRequest): void {
		const query = new URL(request.path, 'http://127.0.0.1').searchParams;
		if (query.get('action') !== 'getPolicy') {
			sendJson(res, 400, nativeError('InvalidParameter', 'Parameter action must be getPolicy.'));
			return;
		}
		const model = query.get('model') ?? '';
		if (model === '') {
			sendJson(res, 400, nativeError('InvalidParameter', 'Required parameter model is missing.'));
			return;
		}
		const now = Date.now();
		const { maxFileSizeMb, expireInSeconds } = this.uploadSettings;
		const maxFileSizeBytes = Math.floor(maxFileSizeMb * BYTES_PER_MB);
		const expiresAt = now + expireInSeconds * 1000;
		const account = createHash('md5').update(this.apiKey).digest('hex');
		const day = new Date(now + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
		const uploadDir = `dashscope-instant/${account}/${day}/${randomUUID()}`;
		const document = {
			expiration: new Date(expiresAt).toISOString(),
			conditions: [
				{ bucket: OSS_BUCKET },
				['content-length-range', 0, maxFileSizeBytes],
				['starts-with', '$key', `${uploadDir}/`],
				{ 'x-oss-object-acl': OSS_OBJECT_ACL },
				{ 'x-oss-forbid-overwrite': OSS_FORBID_OVERWRITE },
			],
		};
		const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
		const signature = createHmac('sha1', this.ossSecret).update(policy).digest('base64');
		this.issuedPolicies.push({
			policy,
			signature,
			uploadDir,
			model,
			issuedAt: now,
			expiresAt,
			maxFileSizeBytes,
		});
		sendJson(res, 200, {
			request_id: randomUUID(),
			data: {
				policy,
				signature,
				upload_dir: uploadDir,
				upload_host: `${this.origin}${OSS_UPLOAD_PATH}`,
				expire_in_seconds: expireInSeconds,
				max_file_size_mb: maxFileSizeMb,
				capacity_limit_mb: UPLOAD_CAPACITY_LIMIT_MB,
				oss_access_key_id: OSS_ACCESS_KEY_ID,
				x_oss_object_acl: OSS_OBJECT_ACL,
				x_oss_forbid_overwrite: OSS_FORBID_OVERWRITE,
			},
		});
	}

	/** `POST /oss-upload`: an OSS PostObject form, checked against the policy it carries. */
	private handleUpload(res: ServerResponse, request: RecordedRequest): void {
		const boundary = multipartBoundary(request.headers['content-type']);
		const parts = boundary === undefined ? undefined : parseMultipart(request.rawBody, boundary);
		if (parts === undefined || typeof parts === 'string') {
			const reason = parts ?? 'the Content-Type is not multipart/form-data with a boundary';
			sendOssError(
				res,
				400,
				'MalformedPOSTRequest',
				`The body of your POST request is not well-formed multipart/form-data: ${reason}.`,
			);
			return;
		}
		const file = parts[parts.length - 1];
		const fileParts = parts.filter((part) => part.name.toLowerCase() === 'file');
		if (fileParts.length !== 1 || file?.name.toLowerCase() !== 'file') {
			const message =
				fileParts.length === 0
					? 'The form has no file field.'
					: 'The file field must be the last field in the form, and the only one.';
			sendOssError(res, 400, 'InvalidArgument', message);
			return;
		}
		const fields: Record<string, string> = {};
		const byName = new Map<string, string>();
		for (const part of parts.slice(0, -1)) {
			const name = part.name.toLowerCase();
			if (byName.has(name)) {
				sendOssError(res, 400, 'InvalidArgument', `The form has the field ${part.name} twice.`);
				return;
			}
			const value = part.data.toString('utf8');
			fields[part.name] = value;
			byName.set(name, value);
		}
		for (const required of ['OSSAccessKeyId', 'Signature', 'policy', 'key']) {
			if (!byName.get(required.toLowerCase())) {
				sendOssError(res, 400, 'InvalidArgument', `The form has no ${required} field.`);
				return;
			}
		}
		if (byName.get('ossaccesskeyid') !== OSS_ACCESS_KEY_ID) {
			sendOssError(
				res,
				403,
				'InvalidAccessKeyId',
				'The OSS Access Key Id you provided does not exist in our records.',
			);
			return;
		}
		const issued = this.issuedPolicies.find((policy) => policy.policy === byName.get('policy'));
		if (!issued || issued.signature !== byName.get('signature')) {
			sendOssError(
				res,
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided. ' +
					'Check your key and signing method.',
			);
			return;
		}
		if (Date.now() > issued.expiresAt) {
			sendOssError(res, 403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
			return;
		}
		const key = byName.get('key') ?? '';
		const prefix = `${issued.uploadDir}/`;
		if (!key.startsWith(prefix)) {
			sendOssError(
				res,
				403,
				'AccessDenied',
				policyConditionFailed(['starts-with', '$key', prefix]),
			);
			return;
		}
		for (const [name, expected] of [
			['x-oss-object-acl', OSS_OBJECT_ACL],
			['x-oss-forbid-overwrite', OSS_FORBID_OVERWRITE],
		]) {
			if (byName.get(name) !== expected) {
				sendOssError(res, 403, 'AccessDenied', policyConditionFailed({ [name]: expected }));
				return;
			}
		}
		if (file.data.length > issued.maxFileSizeBytes) {
			sendOssError(
				res,
				413,
				'EntityTooLarge',
				`Your proposed upload exceeds the maximum allowed size of ${issued.maxFileSizeBytes} bytes.`,
			);
			return;
		}
		if (this.uploadedObjects.has(key) && byName.get('x-oss-forbid-overwrite') === 'true') {
			sendOssError(
				res,
				409,
				'FileAlreadyExists',
				'The object you specified already exists and can not be overwritten.',
			);
			return;
		}
		const bytes = Buffer.from(file.data);
		const now = Date.now();
		const object: UploadedObject = {
			key,
			bytes,
			fieldOrder: parts.map((part) => part.name),
			fields,
			model: issued.model,
			uploadedAt: now,
			expiresAt: now + UPLOADED_OBJECT_TTL_MS,
		};
		if (file.contentType !== undefined) object.contentType = file.contentType;
		if (file.fileName !== undefined) object.fileName = file.fileName;
		this.uploadedObjects.set(key, object);
		const etag = `"${createHash('md5').update(bytes).digest('hex').toUpperCase()}"`;
		const headers = { etag, 'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase() };
		// As OSS: 200 and 204 answer an empty body, 201 an XML receipt, anything else means 204.
		const status = byName.get('success_action_status');
		if (status === '200') {
			send(res, 200, '', headers);
		} else if (status === '201') {
			const xml =
				'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>\n' +
				`  <Bucket>${OSS_BUCKET}</Bucket>\n` +
				`  <Location>${escapeXml(`${this.origin}${OSS_UPLOAD_PATH}/${key}`)}</Location>\n` +
				`  <Key>${escapeXml(key)}</Key>\n  <ETag>${escapeXml(etag)}</ETag>\n</PostResponse>\n`;
			send(res, 201, xml, { ...headers, 'content-type': 'application/xml' });
		} else {
			send(res, 204, '', headers);
		}
	}

	private handleNativeQuery(res: ServerResponse, taskId: string): void {
		const task = this.findTask(taskId, 'native');
		if (!task) {
			sendJson(res, 200, {
				request_id: randomUUID(),
				output: { task_id: taskId, task_status: 'UNKNOWN' },
			});
			return;
		}
		const status = this.advance(task);
		const phase = phaseOf(status, 'native');
		const output: Record<string, unknown> = {
			task_id: task.id,
			task_status: status,
			submit_time: formatBeijingTime(task.submittedAt),
		};
		if (phase === 'running' || phase === 'succeeded' || phase === 'failed') {
			output.scheduled_time = formatBeijingTime(task.startedAt ?? Date.now());
		}
		const body: Record<string, unknown> = { request_id: randomUUID(), output };
		if (phase === 'succeeded') {
			output.end_time = formatBeijingTime(task.finishedAt ?? Date.now());
			output.orig_prompt = task.prompt;
			output.video_url = this.resultUrl(task.id);
			body.usage = { ...SUCCESS_USAGE };
		} else if (phase === 'failed') {
			const failure = task.script.failure ?? DEFAULT_FAILURE;
			output.end_time = formatBeijingTime(task.finishedAt ?? Date.now());
			output.code = failure.code;
			output.message = failure.message;
		}
		sendJson(res, 200, body);
	}

	private handleNativeCancel(res: ServerResponse, taskId: string): void {
		this.settle(Date.now());
		const task = this.findTask(taskId, 'native');
		if (!task || task.canceled || task.currentStatus !== 'PENDING') {
			sendJson(
				res,
				400,
				nativeError(
					'UnsupportedOperation',
					'Failed to cancel the task, please confirm if the task is in PENDING status.',
				),
			);
			return;
		}
		task.canceled = true;
		task.currentStatus = 'CANCELED';
		// A canceled time-based task gives up its place in the queue and never runs.
		const queue = this.queues.native;
		queue.waiting = queue.waiting.filter((waiting) => waiting !== task);
		sendJson(res, 200, { request_id: randomUUID() });
	}

	private handleNativeList(res: ServerResponse): void {
		this.settle(Date.now());
		const data = [...this.tasks.values()]
			.filter((task) => task.family === 'native')
			.map((task) => ({
				task_id: task.id,
				status: task.currentStatus,
				model_name: task.model,
				gmt_create: formatBeijingTime(task.submittedAt),
			}));
		sendJson(res, 200, {
			request_id: randomUUID(),
			total: data.length,
			total_page: 1,
			page_no: 1,
			page_size: 10,
			data,
		});
	}

	private handleAnyfastSubmit(
		res: ServerResponse,
		request: RecordedRequest,
		afterCreate?: (family: Family) => void,
	): void {
		const problem =
			request.json === undefined
				? 'The request body is not valid JSON.'
				: validateSubmitBody(request.json, 'anyfast');
		if (problem !== undefined) {
			sendJson(res, 400, anyfastError(problem, 'invalid_request_error', 'invalid_request'));
			return;
		}
		const id = `asyntask_${randomBytes(12).toString('hex')}`;
		const task = this.createTask('anyfast', request.json as Record<string, unknown>, id);
		if (afterCreate) {
			afterCreate('anyfast');
			return;
		}
		sendJson(res, 200, {
			id: task.id,
			task_id: task.id,
			object: 'video',
			model: task.model,
			status: 'queued',
			progress: 0,
			created_at: epochSeconds(task.submittedAt),
		});
	}

	private handleAnyfastQuery(res: ServerResponse, taskId: string): void {
		const task = this.findTask(taskId, 'anyfast');
		if (!task) {
			sendJson(res, 400, { code: 'task_not_exist', message: 'task_not_exist', data: null });
			return;
		}
		const status = this.advance(task);
		const phase = phaseOf(status, 'anyfast');
		const upstreamOutput: Record<string, unknown> = {
			task_id: task.upstreamTaskId,
			task_status: toNativeStatus(status, 'anyfast'),
		};
		let resultUrl: string | undefined;
		let failReason = '';
		if (phase === 'succeeded') {
			resultUrl = this.resultUrl(task.id);
			// The real gateway copies the URL into fail_reason on success; clients must ignore it.
			failReason = resultUrl;
			upstreamOutput.video_url = resultUrl;
		} else if (phase === 'failed') {
			const failure = task.script.failure ?? DEFAULT_FAILURE;
			failReason = failure.message;
			upstreamOutput.code = failure.code;
			upstreamOutput.message = failure.message;
		}
		sendJson(res, 200, {
			code: 'success',
			message: '',
			data: {
				task_id: task.id,
				action: 'generate',
				status,
				...(resultUrl === undefined ? {} : { result_url: resultUrl }),
				fail_reason: failReason,
				submit_time: epochSeconds(task.submittedAt),
				start_time: epochSeconds(task.startedAt),
				finish_time: epochSeconds(task.finishedAt),
				progress: this.anyfastProgress(task, phase),
				data: {
					output: upstreamOutput,
					usage: phase === 'succeeded' ? { ...SUCCESS_USAGE } : {},
				},
			},
		});
	}

	private handleAnyfastModels(res: ServerResponse): void {
		sendJson(res, 200, {
			object: 'list',
			data: [{ id: MODEL_ID, object: 'model', owned_by: 'alibaba' }],
		});
	}
}
