/**
 * The DashScope ("native") routes under /api/v1 (docs/API.md, Native family): submit, query,
 * cancel and list tasks. The upload policy route is in ossUpload.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import { formatBeijingTime, nativeError, sendJson } from './http';
import { checkSubmitBody } from './submitRules';
import { DEFAULT_FAILURE, phaseOf } from './tasks';
import type { Family, RecordedRequest } from './types';
import type { RouteContext } from './routeContext';

export function handleNativeSubmit(
	routes: RouteContext,
	res: ServerResponse,
	request: RecordedRequest,
	afterCreate?: (family: Family) => void,
): void {
	if (request.headers['x-dashscope-async'] !== 'enable') {
		sendJson(
			res,
			403,
			nativeError('AccessDenied', 'current user api does not support synchronous calls'),
		);
		return;
	}
	const problem =
		request.json === undefined
			? { code: 'InvalidParameter', message: 'The request body is not valid JSON.' }
			: checkSubmitBody(request.json, 'native');
	if (problem !== undefined) {
		sendJson(res, 400, nativeError(problem.code, problem.message));
		return;
	}
	const ossProblem = routes.ossMediaProblem(request);
	if (ossProblem !== undefined) {
		sendJson(res, 400, nativeError(ossProblem.code, ossProblem.message));
		return;
	}
	const task = routes.tasks.create('native', request.json as Record<string, unknown>, randomUUID());
	if (afterCreate) {
		afterCreate('native');
		return;
	}
	sendJson(res, 200, {
		output: { task_id: task.id, task_status: task.script.submitStatus ?? 'PENDING' },
		request_id: randomUUID(),
	});
}

export function handleNativeQuery(routes: RouteContext, res: ServerResponse, taskId: string): void {
	const task = routes.tasks.find(taskId, 'native');
	if (!task) {
		sendJson(res, 200, {
			request_id: randomUUID(),
			output: { task_id: taskId, task_status: 'UNKNOWN' },
		});
		return;
	}
	const status = routes.tasks.advance(task);
	const phase = phaseOf(status, 'native');
	const output: Record<string, unknown> = {
		task_id: task.id,
		task_status: status,
		submit_time: formatBeijingTime(task.submittedAt),
	};
	const tellsStart = phase !== 'running' || routes.startTimeWhileRunning();
	if ((phase === 'running' || phase === 'succeeded' || phase === 'failed') && tellsStart) {
		output.scheduled_time = formatBeijingTime(task.startedAt ?? Date.now());
	}
	const body: Record<string, unknown> = { request_id: randomUUID(), output };
	if (phase === 'succeeded') {
		output.end_time = formatBeijingTime(task.finishedAt ?? Date.now());
		output.orig_prompt = task.prompt;
		output.video_url = task.script.videoUrl ?? routes.resultUrl(task.id);
		body.usage = { ...task.usage };
	} else if (phase === 'failed') {
		const failure = task.script.failure ?? DEFAULT_FAILURE;
		output.end_time = formatBeijingTime(task.finishedAt ?? Date.now());
		output.code = failure.code;
		output.message = failure.message;
	}
	sendJson(res, 200, body);
}

export function handleNativeCancel(
	routes: RouteContext,
	res: ServerResponse,
	taskId: string,
): void {
	routes.tasks.settle(Date.now());
	const task = routes.tasks.find(taskId, 'native');
	if (!task || task.canceled || task.currentStatus !== 'PENDING') {
		sendJson(
			res,
			400,
			nativeError(
				'UnsupportedOperation',
				'Failed to cancel the task, please confirm if the task is in PENDING status.',
			),
		);
		return;
	}
	routes.tasks.cancel(task);
	sendJson(res, 200, { request_id: randomUUID() });
}

/** The account's tasks, filtered by `model_name` and `status` when given (the window is not). */
export function handleNativeList(
	routes: RouteContext,
	res: ServerResponse,
	request: RecordedRequest,
): void {
	routes.tasks.settle(Date.now());
	const query = new URL(request.path, 'http://127.0.0.1').searchParams;
	const model = query.get('model_name') || undefined;
	const status = query.get('status') || undefined;
	const data = routes.tasks
		.all()
		.filter((task) => task.family === 'native')
		.filter((task) => model === undefined || task.model === model)
		.filter((task) => status === undefined || task.currentStatus === status)
		.map((task) => ({
			task_id: task.id,
			status: task.currentStatus,
			model_name: task.model,
			gmt_create: formatBeijingTime(task.submittedAt),
		}));
	sendJson(res, 200, {
		request_id: randomUUID(),
		total: data.length,
		total_page: 1,
		page_no: 1,
		page_size: 10,
		data,
	});
}
