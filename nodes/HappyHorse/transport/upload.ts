import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import type { UploadPolicy } from '../schemas/uploadPolicy';
import { multipartFrame } from './multipart';
import { ExecutionStoppedError } from './executionStopped';
import { failureOfStatus, networkError, quoteBody } from './request';
import { markFailure } from './retry';
import type { UploadSource } from './types';
import type { NodeContext } from './context';

/** What to do instead, where an endpoint cannot take files. */
export const UPLOAD_ALTERNATIVE =
	'Give a public URL instead, for example a presigned link from an S3 or Google Drive node, or use a DashScope endpoint (any Alibaba region), which can take files.';

/** A large file on a slow link: this long without a byte moving ends the upload. */
const UPLOAD_TIMEOUT_MS = 600_000;

/**
 * Posts the file to the policy's upload host as OSS expects: the policy's fields in the
 * documented order, the file last. The host is not the API: the API key is not sent there.
 * Returns the object key.
 */
export async function postToUploadHost(
	ctx: NodeContext,
	policy: UploadPolicy,
	source: UploadSource,
	itemIndex: number,
): Promise<string> {
	if (
		policy.max_file_size_mb !== undefined &&
		source.size > policy.max_file_size_mb * 1024 * 1024
	) {
		throw new NodeApiError(ctx.getNode(), { size: source.size } as JsonObject, {
			message: `Item ${itemIndex}: ${source.label} is larger than the upload allows (${policy.max_file_size_mb} MB)`,
			itemIndex,
		});
	}
	const key = `${policy.upload_dir}/${source.fileName}`;
	const frame = multipartFrame(
		[
			['OSSAccessKeyId', policy.oss_access_key_id],
			['Signature', policy.signature],
			['policy', policy.policy],
			['key', key],
			['x-oss-object-acl', policy.x_oss_object_acl],
			['x-oss-forbid-overwrite', policy.x_oss_forbid_overwrite],
			['success_action_status', '200'],
		],
		{
			fieldName: 'file',
			fileName: source.fileName,
			contentType: source.contentType,
			size: source.size,
		},
	);
	const signal = ctx.getExecutionCancelSignal?.();
	let failure: unknown;
	let response:
		{ statusCode: number; body: unknown; headers?: Record<string, unknown> } | undefined;
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'POST',
			url: policy.upload_host,
			body: (await source.body(frame)) as never,
			headers: { 'Content-Type': frame.contentType, 'Content-Length': String(frame.contentLength) },
			json: false,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// A redirect-following client keeps the whole body in memory to replay it: none here.
			disableFollowRedirect: true,
			timeout: UPLOAD_TIMEOUT_MS,
			abortSignal: signal,
		})) as typeof response;
	} catch (error) {
		failure = error;
	}
	if (failure !== undefined || !response) {
		throw signal?.aborted
			? new ExecutionStoppedError()
			: networkError(
					ctx,
					{ method: 'POST', url: policy.upload_host },
					failure,
					itemIndex,
					'the upload host',
				);
	}
	const text = typeof response.body === 'string' ? response.body : String(response.body ?? '');
	const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
	// A retry after an upload that landed but whose answer was lost: the object is ours.
	const alreadyThere = response.statusCode === 409 && code === 'FileAlreadyExists';
	if ((response.statusCode >= 200 && response.statusCode < 300) || alreadyThere) return key;

	const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
	const error = new NodeApiError(
		ctx.getNode(),
		{
			httpCode: String(response.statusCode),
			code: code ?? null,
			message: message ?? null,
		} as JsonObject,
		{
			message: `Item ${itemIndex}: uploading ${source.label} failed (HTTP ${response.statusCode})${
				code ? `: ${code}` : ''
			}`,
			description: message ?? `The upload host answered ${quoteBody(text)}.`,
			httpCode: String(response.statusCode),
			itemIndex,
		},
	);
	const retry = failureOfStatus(
		{ statusCode: response.statusCode, body: text, headers: response.headers ?? {} },
		code,
	);
	throw retry ? markFailure(error, retry) : error;
}
