import { NodeOperationError } from 'n8n-workflow';

import { apiError } from './apiErrors';
import {
	anyfastErrorBodySchema,
	anyfastSubmitResponseSchema,
	anyfastTaskResponseSchema,
} from '../schemas/anyfastResponses';
import { taskNoun } from '../schemas/taskKinds';
import type { TaskRequest } from '../schemas/taskRequest';
import { ApiClientBase } from './client';
import type { RawResponse } from './request';
import { assertSameTask, failureOfStatus, parseResponse, tryParseJson } from './request';
import { markFailure } from './retry';
import type { FamilyRules, SubmittedTask, TaskListPage, TaskSnapshot } from '../schemas/task';
import type { HappyHorseApi } from './types';

function stringField(record: Record<string, unknown> | null | undefined, key: string) {
	const value = record?.[key];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

const ANYFAST_MEDIA_RULES: FamilyRules = {
	family: 'anyfast',
	acceptsOssUrls: false,
	acceptsDataUris: false,
	label: 'the Anyfast gateway',
};

/**
 * The gateway's submit body (docs/API.md, "Anyfast family"): a video edit goes as the native
 * body; text, image and references to video go flat, the first frame as `image` and the
 * reference images as `images`, in order.
 */
function anyfastBody(request: TaskRequest): object {
	const media = request.input.media ?? [];
	if (media.some((entry) => entry.type === 'video')) return request;
	const firstFrame = media.find((entry) => entry.type === 'first_frame');
	const images = media.filter((entry) => entry.type === 'reference_image');
	return {
		model: request.model,
		...(request.input.prompt === undefined ? {} : { prompt: request.input.prompt }),
		...(firstFrame ? { image: firstFrame.url } : {}),
		...(images.length > 0 ? { images: images.map((entry) => entry.url) } : {}),
		parameters: request.parameters,
	};
}

/** The Anyfast (new-api) gateway: native or flat body in, OpenAI-like task objects out. */
export class AnyfastApi extends ApiClientBase implements HappyHorseApi {
	readonly family = 'anyfast' as const;

	readonly mediaRules = ANYFAST_MEDIA_RULES;

	/** The gateway has no temporary upload: media are public URLs only. */
	readonly uploads = undefined;

	submitBody(request: TaskRequest): object {
		return anyfastBody(request);
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
					url: `${this.baseUrl}/v1/video/generations`,
					body: this.submitBody(request),
				},
				read: (response) => {
					this.throwIfError(response, `Creating the ${taskNoun(request.model)}`, itemIndex);
					const body = parseResponse(
						this.ctx,
						anyfastSubmitResponseSchema,
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

	private notOffered(operation: string, taskId: string | undefined, itemIndex: number) {
		return new NodeOperationError(
			this.ctx.getNode(),
			`${operation} is not available on the Anyfast gateway`,
			{
				itemIndex,
				description: `The gateway has no call for it. Use a DashScope endpoint (any Alibaba region) for ${operation}${
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
		const { data } = parseResponse(this.ctx, anyfastTaskResponseSchema, response, what, itemIndex);
		assertSameTask(this.ctx, taskId, data.task_id, itemIndex);
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
			usage: data.data?.usage,
			errorCode: failed ? (stringField(output, 'code') ?? 'FAILURE') : undefined,
			errorMessage: failed ? data.fail_reason || stringField(output, 'message') : undefined,
			submittedAt: data.submit_time,
			startedAt: data.start_time,
			finishedAt: data.finish_time,
			progress: data.progress,
		};
	}

	private errorCode(response: RawResponse): string | undefined {
		const parsed = anyfastErrorBodySchema.safeParse(tryParseJson(response.body));
		if (!parsed.success) return undefined;
		const code = 'error' in parsed.data ? parsed.data.error.code : parsed.data.code;
		return code === null || code === undefined ? undefined : String(code);
	}

	private throwIfError(response: RawResponse, action: string, itemIndex: number): void {
		if (response.statusCode >= 200 && response.statusCode < 300) return;
		const parsed = anyfastErrorBodySchema.safeParse(tryParseJson(response.body));
		const message = !parsed.success
			? response.body.slice(0, 300)
			: 'error' in parsed.data
				? parsed.data.error.message
				: parsed.data.message;
		const code = this.errorCode(response);
		const error = apiError(
			this.ctx,
			{ httpStatus: response.statusCode, code, message, location: response.headers.location },
			action,
			itemIndex,
		);
		const failure = failureOfStatus(response, code);
		throw failure ? markFailure(error, failure) : error;
	}
}
