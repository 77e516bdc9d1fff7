import type { IDataObject } from 'n8n-workflow';

import { apiError } from './apiErrors';
import {
	nativeCancelResponseSchema,
	nativeErrorBodySchema,
	nativeListResponseSchema,
	nativeSubmitResponseSchema,
	nativeTaskResponseSchema,
} from '../schemas/nativeResponses';
import { taskNoun } from '../schemas/taskKinds';
import type { TaskRequest } from '../schemas/taskRequest';
import type { ApiLimiters } from './client';
import { ApiClientBase } from './client';
import type { RawResponse } from './request';
import { assertSameTask, failureOfStatus, parseResponse, tryParseJson } from './request';
import { markFailure, withRetries } from './retry';
import type {
	FamilyRules,
	SubmittedTask,
	TaskListFilter,
	TaskListPage,
	TaskSnapshot,
} from '../schemas/task';
import type { FileUploads, HappyHorseApi, UploadSource } from './types';
import { uploadPolicySchema } from '../schemas/uploadPolicy';
import { postToUploadHost } from './upload';
import type { NodeContext } from './context';

/** The list call's time format: YYYYMMDDhhmmss in Beijing time. */
function toBeijingCompact(date: Date): string {
	return new Date(date.getTime() + 8 * 3600_000)
		.toISOString()
		.replace(/\.\d{3}Z$/, '')
		.replace(/[-:T]/g, '');
}

const NATIVE_MEDIA_RULES: FamilyRules = {
	family: 'native',
	acceptsOssUrls: true,
	acceptsDataUris: true,
	label: 'DashScope',
};

const OSS_PREFIX = 'oss://';
const UPLOAD_RETRY_BUDGET_MS = 120_000;

/** DashScope's own API (every Alibaba region and workspace domain, the infiflow proxy, or a custom native base URL). */
export class NativeApi extends ApiClientBase implements HappyHorseApi {
	readonly family = 'native' as const;

	readonly mediaRules = NATIVE_MEDIA_RULES;

	readonly uploads: FileUploads | undefined;

	constructor(
		ctx: NodeContext,
		baseUrl: string,
		limiters: ApiLimiters,
		/** False for a proxy whose upload is unproven (infiflow). */
		uploads = true,
	) {
		super(ctx, baseUrl, limiters);
		this.uploads = uploads
			? { uploadFile: async (...args) => await this.uploadFile(...args) }
			: undefined;
	}

	private async uploadFile(source: UploadSource, model: string, itemIndex: number) {
		const policy = await this.send(
			{
				call: 'read',
				limiter: 'query',
				request: {
					method: 'GET',
					url: `${this.baseUrl}/uploads?${new URLSearchParams({ action: 'getPolicy', model })}`,
				},
				read: (response) => {
					this.throwIfError(response, `Getting an upload policy for ${source.label}`, itemIndex);
					const what = `the upload policy request for ${source.label}`;
					return parseResponse(this.ctx, uploadPolicySchema, response, what, itemIndex).data;
				},
			},
			itemIndex,
		);
		// The policy stays valid for minutes: a failed post is retried with it, the file read anew.
		const key = await withRetries(
			async () => await postToUploadHost(this.ctx, policy, source, itemIndex),
			{
				call: 'read',
				deadline: Date.now() + UPLOAD_RETRY_BUDGET_MS,
				signal: this.ctx.getExecutionCancelSignal?.(),
				maxAttempts: 3,
			},
		);
		return `${OSS_PREFIX}${key}`;
	}

	submitBody(request: TaskRequest): object {
		return request;
	}

	async submitTask(
		request: TaskRequest,
		itemIndex: number,
		deadline?: number,
	): Promise<SubmittedTask> {
		return await this.send(
			{
				call: 'write',
				limiter: 'submit',
				deadline,
				request: {
					method: 'POST',
					url: `${this.baseUrl}/services/aigc/video-generation/video-synthesis`,
					headers: {
						// Video synthesis is asynchronous only; without this header DashScope refuses the call.
						'X-DashScope-Async': 'enable',
						// oss:// URLs of uploaded files resolve only with this header.
						...((request.input.media ?? []).some((media) => media.url.startsWith(OSS_PREFIX))
							? { 'X-DashScope-OssResourceResolve': 'enable' }
							: {}),
					},
					body: request,
				},
				read: (response) => {
					this.throwIfError(response, `Creating the ${taskNoun(request.model)}`, itemIndex);
					const body = parseResponse(
						this.ctx,
						nativeSubmitResponseSchema,
						response,
						'the submit',
						itemIndex,
					);
					return {
						taskId: body.output.task_id,
						status: body.output.task_status,
						requestId: body.request_id,
					};
				},
			},
			itemIndex,
		);
	}

	async getTask(
		taskId: string,
		itemIndex: number,
		deadline?: number,
		waiting = false,
	): Promise<TaskSnapshot> {
		return await this.send(
			{
				call: 'read',
				limiter: waiting ? 'wait' : 'query',
				deadline,
				request: { method: 'GET', url: `${this.baseUrl}/tasks/${encodeURIComponent(taskId)}` },
				read: (response) => {
					this.throwIfError(response, `Reading task ${taskId}`, itemIndex);
					const what = `the status query of task ${taskId}`;
					const body = parseResponse(this.ctx, nativeTaskResponseSchema, response, what, itemIndex);
					const { output } = body;
					assertSameTask(this.ctx, taskId, output.task_id, itemIndex);
					return {
						taskId: output.task_id,
						status: output.task_status,
						videoUrl: output.video_url ?? undefined,
						usage: body.usage,
						errorCode: output.code,
						errorMessage: output.message,
						requestId: body.request_id,
						submittedAt: output.submit_time,
						startedAt: output.scheduled_time,
						finishedAt: output.end_time,
					};
				},
			},
			itemIndex,
		);
	}

	async cancelTask(
		taskId: string,
		itemIndex: number,
		detached = false,
	): Promise<{ requestId?: string }> {
		return await this.send(
			{
				call: 'write',
				limiter: 'query',
				request: {
					method: 'POST',
					url: `${this.baseUrl}/tasks/${encodeURIComponent(taskId)}/cancel`,
					...(detached ? { signal: null } : {}),
				},
				read: (response) => {
					this.throwIfError(response, `Canceling task ${taskId}`, itemIndex);
					const body = parseResponse(
						this.ctx,
						nativeCancelResponseSchema,
						response,
						'the cancel',
						itemIndex,
					);
					return { requestId: body.request_id };
				},
			},
			itemIndex,
		);
	}

	async listTasks(filter: TaskListFilter, itemIndex: number): Promise<TaskListPage> {
		const query = new URLSearchParams({
			start_time: toBeijingCompact(filter.startTime),
			end_time: toBeijingCompact(filter.endTime),
			page_no: String(filter.pageNo),
			page_size: String(filter.pageSize),
		});
		if (filter.model) query.set('model_name', filter.model);
		if (filter.status) query.set('status', filter.status);
		return await this.send(
			{
				call: 'read',
				limiter: 'query',
				request: { method: 'GET', url: `${this.baseUrl}/tasks?${query.toString()}` },
				read: (response) => {
					this.throwIfError(response, 'Listing tasks', itemIndex);
					const body = parseResponse(
						this.ctx,
						nativeListResponseSchema,
						response,
						'the task list',
						itemIndex,
					);
					const tasks = (body.data ?? []).map(
						({ task_id, status, task_status, model_name, gmt_create, gmt_modified, ...rest }) => {
							const task: IDataObject = {
								taskId: task_id,
								status: status ?? task_status ?? null,
								model: model_name,
								submittedAt: gmt_create,
								updatedAt: gmt_modified,
								...(rest as IDataObject),
							};
							for (const key of Object.keys(task)) if (task[key] === undefined) delete task[key];
							return task;
						},
					);
					return {
						tasks,
						total: body.total ?? tasks.length,
						totalPages: body.total_page ?? 1,
					};
				},
			},
			itemIndex,
		);
	}

	private throwIfError(response: RawResponse, action: string, itemIndex: number): void {
		if (response.statusCode >= 200 && response.statusCode < 300) return;
		const parsed = nativeErrorBodySchema.safeParse(tryParseJson(response.body));
		const body = parsed.success ? parsed.data : {};
		const error = apiError(
			this.ctx,
			{
				httpStatus: response.statusCode,
				code: body.code,
				message: body.message ?? (parsed.success ? undefined : response.body.slice(0, 300)),
				requestId: body.request_id,
				location: response.headers.location,
			},
			action,
			itemIndex,
		);
		const failure = failureOfStatus(response, body.code);
		throw failure ? markFailure(error, failure) : error;
	}
}
