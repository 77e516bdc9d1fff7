import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { apiError } from '../helpers/apiErrors';
import type { EditTaskRequest } from '../schemas/editTaskRequest';
import { ApiClientBase } from './client';
import type { RawResponse } from './request';
import { failureOfStatus, parseResponse, tryParseJson } from './request';
import { markFailure } from './retry';
import type {
	HappyHorseApi,
	MediaRules,
	SubmittedTask,
	TaskListPage,
	TaskSnapshot,
	TaskStatus,
	UploadSource,
} from './types';
import { UPLOAD_ALTERNATIVE } from './upload';

/** The Anyfast (new-api) gateway: native body in, OpenAI-like task objects out. */

/** Anyfast's task vocabulary in the native one (NODE-CONTRACT.md). */
export const ANYFAST_STATUS_MAP: Record<string, TaskStatus> = {
	NOT_START: 'PENDING',
	SUBMITTED: 'PENDING',
	QUEUED: 'PENDING',
	IN_PROGRESS: 'RUNNING',
	SUCCESS: 'SUCCEEDED',
	FAILURE: 'FAILED',
	UNKNOWN: 'UNKNOWN',
};

const anyfastStatusSchema = z
	.string()
	.transform((status) => status.toUpperCase())
	.pipe(z.enum(Object.keys(ANYFAST_STATUS_MAP) as [string, ...string[]]))
	.transform((status) => ANYFAST_STATUS_MAP[status]);

const submitResponseSchema = z
	.object({
		id: z.string().optional(),
		task_id: z.string().optional(),
		status: z.string().optional(),
	})
	.refine((body) => Boolean(body.task_id || body.id), { message: 'no task_id in the answer' });

const epochSeconds = z.number().nullish();

const taskResponseSchema = z.object({
	code: z.string().optional(),
	message: z.string().optional(),
	data: z.object({
		task_id: z.string().min(1),
		status: anyfastStatusSchema,
		result_url: z.string().nullish(),
		fail_reason: z.string().nullish(),
		submit_time: epochSeconds,
		start_time: epochSeconds,
		finish_time: epochSeconds,
		data: z
			.object({
				output: z.record(z.unknown()).nullish(),
				usage: z.record(z.unknown()).nullish(),
			})
			.passthrough()
			.nullish(),
	}),
});

/** new-api answers errors either OpenAI-style or in its task envelope. */
const errorBodySchema = z.union([
	z.object({
		error: z.object({
			message: z.string().optional(),
			type: z.string().optional(),
			code: z.union([z.string(), z.number()]).nullish(),
		}),
	}),
	z.object({ code: z.string().optional(), message: z.string().optional() }),
]);

function epochToIso(seconds: number | null | undefined): string | undefined {
	return seconds ? new Date(seconds * 1000).toISOString() : undefined;
}

function stringField(record: Record<string, unknown> | null | undefined, key: string) {
	const value = record?.[key];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

export const ANYFAST_MEDIA_RULES: MediaRules = {
	minReferenceImages: 1,
	maxReferenceImages: 1,
	acceptsOssUrls: false,
	label: 'the Anyfast gateway',
	acceptsUploads: false,
};

export class AnyfastApi extends ApiClientBase implements HappyHorseApi {
	readonly family = 'anyfast' as const;

	readonly mediaRules = ANYFAST_MEDIA_RULES;

	async submitEditTask(
		request: EditTaskRequest,
		itemIndex: number,
		deadline?: number,
	): Promise<SubmittedTask> {
		return await this.send(
			{
				call: 'write',
				limiter: 'submit',
				deadline,
				request: { method: 'POST', url: `${this.baseUrl}/v1/video/generations`, body: request },
				read: (response) => {
					this.throwIfError(response, 'Creating the edit task', itemIndex);
					const body = parseResponse(
						this.ctx,
						submitResponseSchema,
						response,
						'the submit',
						itemIndex,
					);
					return { taskId: (body.task_id || body.id) as string, status: 'PENDING' as const };
				},
			},
			itemIndex,
		);
	}

	async getTask(taskId: string, itemIndex: number, deadline?: number): Promise<TaskSnapshot> {
		return await this.send(
			{
				call: 'read',
				limiter: 'query',
				deadline,
				request: {
					method: 'GET',
					url: `${this.baseUrl}/v1/video/generations/${encodeURIComponent(taskId)}`,
				},
				read: (response) => this.readTask(taskId, response, itemIndex),
			},
			itemIndex,
		);
	}

	async cancelTask(taskId: string, itemIndex: number): Promise<{ requestId?: string }> {
		throw this.notOffered('Cancel Task', taskId, itemIndex);
	}

	async listTasks(_filter: unknown, itemIndex: number): Promise<TaskListPage> {
		throw this.notOffered('List Tasks', undefined, itemIndex);
	}

	async uploadFile(source: UploadSource, _model: string, itemIndex: number): Promise<string> {
		throw new NodeOperationError(
			this.ctx.getNode(),
			`Item ${itemIndex}: ${source.label}: the Anyfast gateway cannot take files`,
			{ itemIndex, description: UPLOAD_ALTERNATIVE },
		);
	}

	private notOffered(operation: string, taskId: string | undefined, itemIndex: number) {
		return new NodeOperationError(
			this.ctx.getNode(),
			`${operation} is not available on the Anyfast gateway`,
			{
				itemIndex,
				description: `The gateway has no call for it. Use a DashScope endpoint (Beijing or Singapore) for ${operation}${
					taskId ? `, or manage task ${taskId} in the Anyfast console` : ''
				}.`,
			},
		);
	}

	private readTask(taskId: string, response: RawResponse, itemIndex: number): TaskSnapshot {
		// The gateway answers 400 task_not_exist for an id it does not know: the native family
		// calls that status UNKNOWN, and so does the node.
		if (response.statusCode === 400 && this.errorCode(response) === 'task_not_exist') {
			return { taskId, status: 'UNKNOWN' };
		}
		this.throwIfError(response, `Reading task ${taskId}`, itemIndex);
		const what = `the status query of task ${taskId}`;
		const { data } = parseResponse(this.ctx, taskResponseSchema, response, what, itemIndex);
		const output = data.data?.output;
		const failed = data.status === 'FAILED';
		return {
			taskId: data.task_id,
			status: data.status,
			// Decided on status alone: on success fail_reason may hold a copy of the URL.
			videoUrl:
				data.status === 'SUCCEEDED'
					? data.result_url || stringField(output, 'video_url')
					: undefined,
			usage: (data.data?.usage ?? undefined) as IDataObject | undefined,
			errorCode: failed ? (stringField(output, 'code') ?? 'FAILURE') : undefined,
			errorMessage: failed ? data.fail_reason || stringField(output, 'message') : undefined,
			submittedAt: epochToIso(data.submit_time),
			startedAt: epochToIso(data.start_time),
			finishedAt: epochToIso(data.finish_time),
		};
	}

	private errorCode(response: RawResponse): string | undefined {
		const parsed = errorBodySchema.safeParse(tryParseJson(response.body));
		if (!parsed.success) return undefined;
		const code = 'error' in parsed.data ? parsed.data.error.code : parsed.data.code;
		return code === null || code === undefined ? undefined : String(code);
	}

	private throwIfError(response: RawResponse, action: string, itemIndex: number): void {
		if (response.statusCode >= 200 && response.statusCode < 300) return;
		const parsed = errorBodySchema.safeParse(tryParseJson(response.body));
		const message = !parsed.success
			? response.body.slice(0, 300)
			: 'error' in parsed.data
				? parsed.data.error.message
				: parsed.data.message;
		const code = this.errorCode(response);
		const error = apiError(
			this.ctx,
			{ httpStatus: response.statusCode, code, message },
			action,
			itemIndex,
		);
		const failure = failureOfStatus(response, code);
		throw failure ? markFailure(error, failure) : error;
	}
}
