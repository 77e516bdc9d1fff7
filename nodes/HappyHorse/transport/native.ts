import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { z } from 'zod';

import { apiError } from '../helpers/apiErrors';
import type { EditTaskRequest } from '../schemas/editTaskRequest';
import type { RawResponse } from './request';
import { parseResponse, sendApiRequest, tryParseJson } from './request';
import type { HappyHorseApi, MediaRules, SubmittedTask, TaskSnapshot, TaskStatus } from './types';

/** DashScope's own API (Beijing, Singapore, the infiflow proxy, or a custom native base URL). */

const submitResponseSchema = z.object({
	output: z.object({
		task_id: z.string().min(1),
		task_status: z.string(),
	}),
	request_id: z.string().optional(),
});

const nativeStatusSchema = z
	.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN', 'SUSPENDED'])
	.transform((status): TaskStatus => (status === 'SUSPENDED' ? 'PENDING' : status));

const taskResponseSchema = z.object({
	request_id: z.string().optional(),
	output: z.object({
		task_id: z.string().min(1),
		task_status: nativeStatusSchema,
		submit_time: z.string().optional(),
		scheduled_time: z.string().optional(),
		end_time: z.string().optional(),
		video_url: z.string().optional(),
		code: z.string().optional(),
		message: z.string().optional(),
	}),
	usage: z.record(z.unknown()).optional(),
});

const errorBodySchema = z.object({
	code: z.string().optional(),
	message: z.string().optional(),
	request_id: z.string().optional(),
});

/** DashScope reports wall-clock time in Beijing (UTC+8) without a zone: "2026-04-26 14:13:14.373". */
export function beijingTimeToIso(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value.trim());
	if (!match) return value;
	const date = new Date(`${match[1]}T${match[2]}+08:00`);
	return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

export const NATIVE_MEDIA_RULES: MediaRules = {
	minReferenceImages: 0,
	maxReferenceImages: 5,
	acceptsOssUrls: true,
	label: 'DashScope',
};

export class NativeApi implements HappyHorseApi {
	readonly family = 'native' as const;

	readonly mediaRules = NATIVE_MEDIA_RULES;

	constructor(
		private readonly ctx: IExecuteFunctions,
		readonly baseUrl: string,
	) {}

	async submitEditTask(request: EditTaskRequest, itemIndex: number): Promise<SubmittedTask> {
		const response = await sendApiRequest(
			this.ctx,
			{
				method: 'POST',
				url: `${this.baseUrl}/services/aigc/video-generation/video-synthesis`,
				// Video synthesis is asynchronous only; without this header DashScope refuses the call.
				headers: { 'X-DashScope-Async': 'enable' },
				body: request,
			},
			itemIndex,
		);
		this.throwIfError(response, 'Creating the edit task', itemIndex);
		const body = parseResponse(this.ctx, submitResponseSchema, response, 'the submit', itemIndex);
		return {
			taskId: body.output.task_id,
			status: nativeStatusSchema.catch('PENDING').parse(body.output.task_status),
			requestId: body.request_id,
		};
	}

	async getTask(taskId: string, itemIndex: number): Promise<TaskSnapshot> {
		const response = await sendApiRequest(
			this.ctx,
			{ method: 'GET', url: `${this.baseUrl}/tasks/${encodeURIComponent(taskId)}` },
			itemIndex,
		);
		this.throwIfError(response, `Reading task ${taskId}`, itemIndex);
		const body = parseResponse(
			this.ctx,
			taskResponseSchema,
			response,
			`the status query of task ${taskId}`,
			itemIndex,
		);
		const { output } = body;
		return {
			taskId: output.task_id,
			status: output.task_status,
			videoUrl: output.video_url,
			usage: body.usage as IDataObject | undefined,
			errorCode: output.code,
			errorMessage: output.message,
			requestId: body.request_id,
			submittedAt: beijingTimeToIso(output.submit_time),
			startedAt: beijingTimeToIso(output.scheduled_time),
			finishedAt: beijingTimeToIso(output.end_time),
		};
	}

	private throwIfError(response: RawResponse, action: string, itemIndex: number): void {
		if (response.statusCode >= 200 && response.statusCode < 300) return;
		const parsed = errorBodySchema.safeParse(tryParseJson(response.body));
		const body = parsed.success ? parsed.data : {};
		throw apiError(
			this.ctx,
			{
				httpStatus: response.statusCode,
				code: body.code,
				message: body.message ?? (parsed.success ? undefined : response.body.slice(0, 300)),
				requestId: body.request_id,
			},
			action,
			itemIndex,
		);
	}
}
