/**
 * The emulator's types: the public ones (re-exported by index.ts) and those its parts share.
 */
import type { TaskBoard } from './tasks';

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
	/** The video URL a query of the succeeded task reports, instead of this server's result URL (a misbehaving video host, a data: URL). */
	videoUrl?: string;
	/** The status the native submit answer reports (default PENDING): a gateway that answers with a final status at once. */
	submitStatus?: string;
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

/** The request kinds a fault can be queued for. */
export type FaultKind = 'submit' | 'query' | 'download' | 'cancel' | 'models' | 'policy' | 'upload';

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
export type Phase = 'waiting' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'unknown';

export interface EmulatedTask {
	id: string;
	family: Family;
	model: string;
	prompt: string;
	/** What a query reports as `usage` once the task succeeded. */
	usage: Record<string, number>;
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

/** What the routes of both API families (nativeRoutes.ts, anyfastRoutes.ts) work on. */
export interface RouteContext {
	tasks: TaskBoard;
	/** Where the result of a task is served, on this server. */
	resultUrl(taskId: string): string;
	/** What is wrong with the oss:// media of a native submit, if anything (see ossUpload.ts). */
	ossMediaProblem(request: RecordedRequest): { code: string; message: string } | undefined;
	/** Whether a RUNNING task's answer tells when it started (HappyHorseEmulator). */
	startTimeWhileRunning(): boolean;
}
