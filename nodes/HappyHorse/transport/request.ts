import type { IHttpRequestMethods, IHttpRequestOptions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ExecutionStoppedError } from './executionStopped';
import type { z } from 'zod';

import { API_ANSWER_MAX_BYTES, MIB } from '../schemas/limits';
import { quoteShort } from '../schemas/taskId';
import type { FailureKind } from './retry';
import { markFailure, parseRetryAfter } from './retry';
import { isRedactionReady, prepareRedaction, redactSecrets } from './secrets';
import type { NodeContext } from './context';

export const CREDENTIAL_TYPE = 'happyHorseApi';

/** API calls answer in seconds; the limit only guards against a connection that hangs. */
const API_REQUEST_TIMEOUT_MS = 60_000;

export interface RawResponse {
	statusCode: number;
	body: string;
	headers: Record<string, unknown>;
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	url: string;
	body?: unknown;
	headers?: Record<string, string>;
	/** `null`: not tied to the execution's cancel signal (the clean-up after a stop). */
	signal?: null;
}

/**
 * Sends one authenticated call and hands back status, headers and the raw text, whatever the
 * status: each family reads its own error bodies. Redirects are not followed, so the API key
 * can never travel to a host other than the configured endpoint. Every answer passes through
 * here: its text is bounded in size and has the API key taken out, whatever the server echoes.
 */
export async function sendApiRequest(
	ctx: NodeContext,
	request: ApiRequest,
	itemIndex: number,
): Promise<RawResponse> {
	if (!isRedactionReady(ctx)) {
		await prepareRedaction(
			ctx,
			async () => (await ctx.getCredentials<{ apiKey?: unknown }>(CREDENTIAL_TYPE)).apiKey,
		);
	}
	const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
	const signal = request.signal === null ? undefined : ctx.getExecutionCancelSignal?.();
	if (request.body !== undefined) headers['Content-Type'] = 'application/json';
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url,
		headers,
		body: request.body === undefined ? undefined : JSON.stringify(request.body),
		json: false,
		// A stream, so an answer larger than the limit is refused without being read whole.
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: API_REQUEST_TIMEOUT_MS,
		abortSignal: signal,
	};
	let failure: unknown;
	try {
		const response = (await (request.signal === null
			? sendDetached(ctx, options)
			: ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options))) as {
			statusCode: number;
			body: unknown;
			headers?: Record<string, unknown>;
		};
		const text = await readBounded(response.body, response.headers ?? {});
		if (text !== undefined) return toRawResponse(ctx, response, text);
	} catch (cause) {
		failure = cause;
	}
	// Outside the catch block: n8n's scanner wants only n8n errors thrown from one.
	if (signal?.aborted) throw new ExecutionStoppedError();
	throw failure === undefined
		? tooLargeError(ctx, request, itemIndex)
		: networkError(ctx, request, failure, itemIndex);
}

/** The body of an answer read with `encoding: 'stream'`: a Node.js readable of its bytes. */
interface ByteStream {
	on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	once(event: 'end' | 'close', listener: () => void): unknown;
	once(event: 'error', listener: (error: Error) => void): unknown;
	destroy(): void;
}

function isByteStream(body: unknown): body is ByteStream {
	const stream = body as Partial<ByteStream> | undefined;
	return typeof stream?.on === 'function' && typeof stream.destroy === 'function';
}

/**
 * The answer's text, or undefined when it is larger than `maxBytes` (API_ANSWER_MAX_BYTES by default): refused on its
 * Content-Length, or as soon as the counted bytes pass the limit, the rest never read. Read
 * with the stream's events, one promise per answer: an async iterator costs several promises
 * per chunk, which n8n's async context tracking makes dear on every call (bench/overhead.ts).
 */
export async function readBounded(
	body: unknown,
	headers: Record<string, unknown>,
	maxBytes = API_ANSWER_MAX_BYTES,
): Promise<string | undefined> {
	if (!isByteStream(body)) return bodyAsText(body);
	if (Number(headers['content-length']) > maxBytes) {
		body.destroy();
		return undefined;
	}
	return await new Promise<string | undefined>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let settled = false;
		const settle = (text: string | undefined) => {
			settled = true;
			resolve(text);
		};
		body.on('data', (chunk) => {
			if (settled) return;
			const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			size += bytes.length;
			if (size > maxBytes) {
				settle(undefined);
				body.destroy();
				return;
			}
			chunks.push(bytes);
		});
		body.once('end', () => settle(Buffer.concat(chunks, size).toString('utf8')));
		body.once('error', (error) => {
			settled = true;
			reject(error);
		});
		// A connection that closes before the end of the body, without an error of its own.
		body.once('close', () => {
			if (settled) return;
			settled = true;
			reject(Object.assign(new Error('The answer ended early'), { code: 'ECONNRESET' }));
		});
	});
}

function tooLargeError(
	ctx: NodeContext,
	request: Pick<ApiRequest, 'method' | 'url'>,
	itemIndex: number,
): NodeApiError {
	const limit = `${API_ANSWER_MAX_BYTES / MIB} MB`;
	const error = new NodeApiError(
		ctx.getNode(),
		{ tooLarge: true, limitBytes: API_ANSWER_MAX_BYTES },
		{
			message: `The HappyHorse API gave an answer too large to read`,
			description: `${request.method} ${pathOf(request.url)} answered with more than ${limit}, larger than the ${limit} the node reads from an API answer (HappyHorse answers are a few kB); the rest was not read. A proxy or a wrong base URL in the credential often causes this.`,
			itemIndex,
		},
	);
	// The same call would bring the same answer: it is not repeated.
	return markFailure(error, { kind: 'untrusted' });
}

/**
 * The clean-up after a stop: n8n ties every authenticated request to the execution's cancel
 * signal, which has fired by then. This one request sets the same bearer header itself, to the
 * same configured endpoint, with the plain helper that the signal does not reach.
 */
async function sendDetached(ctx: NodeContext, options: IHttpRequestOptions) {
	const { apiKey } = await ctx.getCredentials<{ apiKey: string }>(CREDENTIAL_TYPE);
	return await ctx.helpers.httpRequest({
		...options,
		headers: { ...options.headers, Authorization: `Bearer ${apiKey}` },
	});
}

function toRawResponse(
	ctx: NodeContext,
	response: { statusCode: number; headers?: Record<string, unknown> },
	text: string,
): RawResponse {
	const headers: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(response.headers ?? {})) {
		headers[name] = typeof value === 'string' ? redactSecrets(ctx, value) : value;
	}
	return { statusCode: response.statusCode, body: redactSecrets(ctx, text), headers };
}

function bodyAsText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body === undefined || body === null) return '';
	return JSON.stringify(body);
}

/**
 * The library's own error carries the request options, headers included; only the cause's
 * code and message are kept so the key cannot leak into the execution log.
 */
export function networkError(
	ctx: NodeContext,
	request: Pick<ApiRequest, 'method' | 'url'>,
	cause: unknown,
	itemIndex: number,
	what = 'the HappyHorse API',
): NodeApiError {
	// n8n wraps the HTTP library's error: the socket's own code sits on `cause`.
	const wrapped = cause as {
		code?: string;
		httpCode?: string;
		message?: string;
		cause?: { code?: string; message?: string };
	};
	const code = wrapped.cause?.code ?? wrapped.code ?? wrapped.httpCode ?? 'NETWORK_ERROR';
	const detail = redactSecrets(ctx, wrapped.cause?.message ?? wrapped.message ?? String(cause));
	// In words: n8n replaces a message that contains a socket code with its own generic text.
	const problem = NETWORK_PROBLEMS[code] ?? 'the request failed';
	const error = new NodeApiError(ctx.getNode(), { networkError: code, detail } as JsonObject, {
		message: `Could not reach ${what} at ${safeHost(request.url)}: ${problem}`,
		description: `${request.method} ${pathOf(request.url)} failed before an answer came back (${detail}). Check the credential's endpoint and your network.`,
		itemIndex,
	});
	// Without a connection nothing reached the API; a break after connecting is ambiguous.
	return markFailure(error, { kind: UNSENT_CODES.has(code) ? 'unsent' : 'ambiguous' });
}

const UNSENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
]);

const NETWORK_PROBLEMS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	EHOSTUNREACH: 'the host is unreachable',
	ERR_CANCELED: 'the execution was stopped',
};

function safeHost(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

function pathOf(url: string): string {
	try {
		return new URL(url).pathname;
	} catch {
		return url;
	}
}

/** Adds a sentence to an error's description, after what it already says. */
export function appendToDescription(error: unknown, sentence: string): void {
	const described = error as { description?: string | null };
	described.description = [described.description, sentence].filter(Boolean).join(' ');
}

/** Text of a body as quoted in error messages: enough to recognise an HTML page or a proxy. */
export function quoteBody(body: string): string {
	const flat = body.replace(/\s+/g, ' ').trim();
	if (flat === '') return '(an empty body)';
	return flat.length > 300 ? `"${flat.slice(0, 300)}…"` : `"${flat}"`;
}

export function tryParseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/**
 * Parses a success body with its zod schema; anything else (HTML from a proxy, a body without
 * task_id) is an error that quotes what came back instead of an `undefined` further down.
 */
export function parseResponse<T extends z.ZodTypeAny>(
	ctx: NodeContext,
	schema: T,
	response: RawResponse,
	what: string,
	itemIndex: number,
): z.infer<T> {
	const json = tryParseJson(response.body);
	const parsed = schema.safeParse(json);
	if (parsed.success) return parsed.data as z.infer<T>;
	const problem =
		json === undefined
			? 'not valid JSON'
			: parsed.error.issues
					.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
					.join('; ');
	const error = new NodeApiError(
		ctx.getNode(),
		{ httpCode: String(response.statusCode), body: response.body.slice(0, 1000) } as JsonObject,
		{
			message: `The HappyHorse API gave an unexpected answer to ${what}`,
			description: `HTTP ${response.statusCode} with ${quoteBody(response.body)} (${problem}). A proxy or a wrong base URL in the credential often causes this.`,
			httpCode: String(response.statusCode),
			itemIndex,
		},
	);
	// An odd task id (schemas/taskId.ts) would come back the same: such an answer is not asked again.
	const untrusted = !parsed.success && parsed.error.issues.some(isUntrustedIssue);
	throw markFailure(error, { kind: untrusted ? 'untrusted' : 'malformed' });
}

function isUntrustedIssue(issue: z.ZodIssue): boolean {
	return issue.code === 'custom' && (issue.params as { untrusted?: boolean })?.untrusted === true;
}

/**
 * A status answer about another task than the one asked for: a proxy that mixed answers up.
 * Taking it would replace the task, which would then be lost; the error names the one asked for.
 */
export function assertSameTask(
	ctx: NodeContext,
	asked: string,
	answered: string,
	itemIndex: number,
): void {
	if (answered === asked) return;
	const error = new NodeApiError(
		ctx.getNode(),
		{ taskId: asked, answeredTaskId: answered },
		{
			message: `The HappyHorse API answered the status query of task ${asked} about another task`,
			description: `The answer was about task ${quoteShort(answered)}, so it was not used. Task ${asked} may still be running: collect it later with Get Task. A caching proxy in front of the API can cause this.`,
			itemIndex,
		},
	);
	error.context.taskId = asked;
	throw markFailure(error, { kind: 'untrusted' });
}

/** How an error status bears on retrying: 429 and Throttling* are refusals, 5xx is unknown. */
export function failureOfStatus(
	response: RawResponse,
	code: string | undefined,
): { kind: FailureKind; retryAfterMs?: number } | undefined {
	if (response.statusCode === 429 || code?.startsWith('Throttling')) {
		return { kind: 'throttled', retryAfterMs: parseRetryAfter(response.headers['retry-after']) };
	}
	if (response.statusCode >= 500) return { kind: 'server' };
	return undefined;
}
