import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { MEDIA_LIMITS, MIB } from '../schemas/limits';
import type { NodeContext } from './context';

const megabytes = (limits: { maxBytes: number }) => limits.maxBytes / MIB;

/** An error answer of either family, reduced to what the user needs. */
export interface ApiErrorDetails {
	httpStatus: number;
	code?: string;
	message?: string;
	requestId?: string;
	/** A redirect's Location header, as the server sent it. */
	location?: unknown;
}

/** What to do about the common codes, matched on the code's start (Throttling.RateQuota → Throttling). */
const ADVICE: Array<{ codes: string[]; statuses?: number[]; advice: string }> = [
	{
		codes: ['InvalidApiKey', 'invalid_api_key', 'Unauthorized'],
		statuses: [401],
		advice:
			"Check the API key in the HappyHorse credential, and that the credential's endpoint is the key's own region: a Beijing key gets 401 in Singapore, the US or Frankfurt, and the other way round.",
	},
	{
		codes: ['Throttling', 'LimitRequests', 'rate_limit'],
		statuses: [429],
		advice:
			'The account hit its rate limit (HappyHorse video edit: 5 submits per second, 5 running tasks). It usually clears within a minute: retry later or send fewer items at once.',
	},
	{
		codes: ['Arrearage', 'PrepaidBillOverdue', 'insufficient_quota'],
		advice:
			'The account has an overdue bill or no balance left. Top it up in the Alibaba Cloud (or gateway) console, then run again.',
	},
	{
		codes: ['DataInspectionFailed', 'DataInspection'],
		advice:
			'The content moderation rejected the prompt or the media. Change the prompt, the video or the reference images.',
	},
	{
		codes: ['InvalidURL', 'BadRequest.InputDownloadFailed'],
		advice:
			'The API could not download a media URL. Video and image URLs must be public (no login, no localhost or private network), for example a presigned S3 link.',
	},
	{
		codes: ['BadRequest.UnsupportedFileFormat'],
		advice: 'Use an MP4 or MOV (H.264) video and JPEG, PNG or WEBP reference images.',
	},
	{
		codes: ['BadRequest.TooLarge'],
		advice: `A file is too large: a video may be at most ${megabytes(MEDIA_LIMITS.video)} MB, a reference image ${megabytes(MEDIA_LIMITS.editReferenceImage)} MB, a first frame ${megabytes(MEDIA_LIMITS.firstFrame)} MB.`,
	},
	{
		codes: ['AccessDenied', 'Model.AccessDenied'],
		statuses: [403],
		advice:
			"The account may not use this model or endpoint. Activate happyhorse-1.0-video-edit in Alibaba Model Studio for the key's region.",
	},
	{
		codes: ['ModelNotFound'],
		advice: 'Check Options → Model: the default is happyhorse-1.0-video-edit.',
	},
	{
		codes: ['InternalError', 'SystemError', 'ModelUnavailable', 'RequestTimeOut'],
		statuses: [500, 502, 503, 504],
		advice: 'The service had a problem on its side. Try again in a few minutes.',
	},
];

export function adviceFor(details: ApiErrorDetails): string | undefined {
	const code = details.code ?? '';
	const byCode = ADVICE.find((entry) =>
		entry.codes.some((known) => code === known || code.startsWith(`${known}.`)),
	);
	if (byCode) return byCode.advice;
	return ADVICE.find((entry) => entry.statuses?.includes(details.httpStatus))?.advice;
}

/** The NodeApiError for an error answer: status, code, message and request id, plus advice. */
export function apiError(
	ctx: NodeContext,
	details: ApiErrorDetails,
	action: string,
	itemIndex: number,
): NodeApiError {
	const redirect = redirectOf(details);
	const what =
		redirect?.what ??
		([details.code, details.message].filter(Boolean).join(': ') || 'no details given');
	const advice = redirect?.advice ?? adviceFor(details);
	const description = [advice, details.requestId ? `Request ID: ${details.requestId}` : undefined]
		.filter(Boolean)
		.join(' ');
	const error = new NodeApiError(
		ctx.getNode(),
		{
			httpCode: String(details.httpStatus),
			code: details.code ?? null,
			message: details.message ?? null,
			request_id: details.requestId ?? null,
		} as JsonObject,
		{
			message: `${action} failed (HTTP ${details.httpStatus}): ${what}`,
			description: description || undefined,
			httpCode: String(details.httpStatus),
			itemIndex,
		},
	);
	error.context.apiErrorCode = details.code;
	error.context.requestId = details.requestId;
	return error;
}

/**
 * A 3xx from the API: redirects are never followed for API calls, so the key goes only to the
 * configured endpoint; the answer is reported as what it is, with where it pointed.
 */
function redirectOf(details: ApiErrorDetails): { what: string; advice: string } | undefined {
	if (details.httpStatus < 300 || details.httpStatus >= 400) return undefined;
	let host: string | undefined;
	try {
		if (typeof details.location === 'string') host = new URL(details.location).host;
	} catch {
		// A relative or broken Location: the redirect is still named, without a host.
	}
	return {
		what: host ? `the API redirected to ${host}` : 'the API answered with a redirect',
		advice:
			"Redirects are not followed for API calls, so the API key goes only to the credential's endpoint. Check the credential's Base URL: it may need https:// instead of http://, another host, or the path the server redirects to.",
	};
}
