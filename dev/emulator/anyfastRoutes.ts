/**
 * The Anyfast gateway's routes under /v1 (docs/API.md, Anyfast family): submit and query tasks
 * in the gateway's own vocabulary, and its model list.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import { anyfastError, epochSeconds, sendJson } from './http';
import { checkSubmitBody } from './submitRules';
import { DEFAULT_FAILURE, phaseOf, toNativeStatus } from './tasks';
import type { EmulatedTask, Family, Phase, RecordedRequest } from './types';
import type { RouteContext } from './routeContext';

/** The models the gateway lists: the 1.0 family (it documents no 1.1 models). */
const MODEL_IDS = [
	'happyhorse-1.0-video-edit',
	'happyhorse-1.0-t2v',
	'happyhorse-1.0-i2v',
	'happyhorse-1.0-r2v',
];

const ANYFAST_PROGRESS: Record<Phase, string> = {
	waiting: '0%',
	running: '50%',
	succeeded: '100%',
	failed: '100%',
	canceled: '0%',
	unknown: '0%',
};

/** Anyfast's progress string; a time-based task reports how much of its run has passed. */
function anyfastProgress(task: EmulatedTask, phase: Phase): string {
	if (phase !== 'running' || task.startedAt === undefined || !task.durationMs) {
		return ANYFAST_PROGRESS[phase];
	}
	const elapsed = (Date.now() - task.startedAt) / task.durationMs;
	return `${Math.min(99, Math.max(0, Math.floor(elapsed * 100)))}%`;
}

export function handleAnyfastSubmit(
	routes: RouteContext,
	res: ServerResponse,
	request: RecordedRequest,
	afterCreate?: (family: Family) => void,
): void {
	const problem =
		request.json === undefined
			? { code: 'InvalidParameter', message: 'The request body is not valid JSON.' }
			: checkSubmitBody(request.json, 'anyfast');
	if (problem !== undefined) {
		const code = problem.code === 'ModelNotFound' ? 'model_not_found' : 'invalid_request';
		sendJson(res, 400, anyfastError(problem.message, 'invalid_request_error', code));
		return;
	}
	const id = `asyntask_${randomBytes(12).toString('hex')}`;
	const task = routes.tasks.create('anyfast', request.json as Record<string, unknown>, id);
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

export function handleAnyfastQuery(
	routes: RouteContext,
	res: ServerResponse,
	taskId: string,
): void {
	const task = routes.tasks.find(taskId, 'anyfast');
	if (!task) {
		sendJson(res, 400, { code: 'task_not_exist', message: 'task_not_exist', data: null });
		return;
	}
	const status = routes.tasks.advance(task);
	const phase = phaseOf(status, 'anyfast');
	const upstreamOutput: Record<string, unknown> = {
		task_id: task.upstreamTaskId,
		task_status: toNativeStatus(status, 'anyfast'),
	};
	let resultUrl: string | undefined;
	let failReason = '';
	if (phase === 'succeeded') {
		resultUrl = task.script.videoUrl ?? routes.resultUrl(task.id);
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
			start_time:
				phase !== 'running' || routes.startTimeWhileRunning() ? epochSeconds(task.startedAt) : 0,
			finish_time: epochSeconds(task.finishedAt),
			progress: anyfastProgress(task, phase),
			data: {
				output: upstreamOutput,
				usage: phase === 'succeeded' ? { ...task.usage } : {},
			},
		},
	});
}

export function handleAnyfastModels(res: ServerResponse): void {
	sendJson(res, 200, {
		object: 'list',
		data: MODEL_IDS.map((id) => ({ id, object: 'model', owned_by: 'alibaba' })),
	});
}
