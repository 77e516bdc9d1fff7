import type {
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ExecutionStoppedError } from './executionStopped';
import type { z } from 'zod';

import type { FailureKind } from './retry';
import { markFailure, parseRetryAfter } from './retry';

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
 * can never travel to a host other than the configured endpoint.
 */
export async function sendApiRequest(
	ctx: IExecuteFunctions,
	request: ApiRequest,
	itemIndex: number,
): Promise<RawResponse> {
	const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
	const signal = request.signal === null ? undefined : ctx.getExecutionCancelSignal?.();
	if (request.body !== undefined) headers['Content-Type'] = 'application/json';
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url,
		headers,
		body: request.body === undefined ? undefined : JSON.stringify(request.body),
		json: false,
		encoding: 'text',
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
		return toRawResponse(response);
	} catch (cause) {
		failure = cause;
	}
	// Outside the catch block: n8n's scanner wants only n8n errors thrown from one.
	throw signal?.aborted
		? new ExecutionStoppedError()
		: networkError(ctx, request, failure, itemIndex);
}

/**
 * The clean-up after a stop: n8n ties every authenticated request to the execution's cancel
 * signal, which has fired by then. This one request sets the same bearer header itself, to the
 * same configured endpoint, with the plain helper that the signal does not reach.
 */
async function sendDetached(ctx: IExecuteFunctions, options: IHttpRequestOptions) {
	const { apiKey } = await ctx.getCredentials<{ apiKey: string }>(CREDENTIAL_TYPE);
	return await ctx.helpers.httpRequest({
		...options,
		headers: { ...options.headers, Authorization: `Bearer ${apiKey}` },
	});
}

function toRawResponse(response: {
	statusCode: number;
	body: unknown;
	headers?: Record<string, unknown>;
}): RawResponse {
	return {
		statusCode: response.statusCode,
		body: bodyAsText(response.body),
		headers: response.headers ?? {},
	};
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
	ctx: IExecuteFunctions,
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
	const detail = wrapped.cause?.message ?? wrapped.message ?? String(cause);
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
	ctx: IExecuteFunctions,
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
	throw markFailure(error, { kind: 'malformed' });
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
