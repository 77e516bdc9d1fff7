// First: this file reads n8n's own log, where the API key must not appear either.
import { N8N_LOG_FILE } from '../../dev/setup/verboseLogs';

import { readFileSync } from 'node:fs';

import { createParameters } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';
import type { CannedAnswer, SeenRequest } from './hostileServer';
import { useHostileServer } from './hostileServer';

/**
 * An API (or a gateway in front of it) that answers what it should not: the key echoed back,
 * statuses and times in odd shapes, task ids that are paths, another task's status, a redirect,
 * 30 MB of JSON. The node must neither trust nor repeat any of it.
 */
const server = useHostileServer();

const KEY = 'sk-hostile-test-key-0123456789abcdef';
const TASK_ID = '0385dc79-5ff8-4d82-bcb6-5e8ee3d5f2a1';
const ANYFAST_ID = 'asyntask_0123456789abcdef01234567';
const VIDEO_URL = 'https://result.example.com/out.mp4?Expires=1';

const nativeSubmit: CannedAnswer = {
	status: 200,
	body: { output: { task_id: TASK_ID, task_status: 'PENDING' }, request_id: 'req-submit' },
};

function nativeStatus(output: object, extra: object = {}): CannedAnswer {
	return { status: 200, body: { request_id: 'req-query', output, ...extra } };
}

/** Answers the submit, then each status query with the next answer (the last one repeats). */
function script(submit: CannedAnswer, ...queries: CannedAnswer[]) {
	let query = 0;
	server.answerWith((request: SeenRequest) => {
		if (request.method === 'POST') return submit;
		return queries[Math.min(query++, queries.length - 1)];
	});
}

const queriesSeen = () => server.requests.filter((request) => request.method === 'GET').length;

/** Everything the run left behind: output items, the error with its hidden fields, the run data. */
function everything(result: Awaited<ReturnType<typeof runNode>>): string {
	const { error } = result;
	return [
		JSON.stringify(result.items),
		JSON.stringify(result.run),
		error ? JSON.stringify(error, Object.getOwnPropertyNames(error)) : '',
		error ? String((error as { description?: string }).description) : '',
	].join('\n');
}

describe('the key echoed by the server never reaches outputs, errors or logs', () => {
	test('a 401 that quotes the Authorization header back', async () => {
		server.answerWith(() => ({
			status: 401,
			body: { code: 'InvalidApiKey', message: `Invalid token: Bearer ${KEY}`, request_id: 'r' },
		}));
		const result = await runNode({
			credentials: server.credentials('native', KEY),
			parameters: createParameters(),
		});
		expect(result.error?.message).toBe(
			'Creating the edit task failed (HTTP 401): InvalidApiKey: Invalid token: Bearer [redacted]',
		);
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
		expect(everything(result)).not.toContain(KEY);
		// winston writes its file asynchronously.
		await new Promise((resolve) => setTimeout(resolve, 300));
		const logged = readFileSync(N8N_LOG_FILE, 'utf8');
		expect(logged).toContain('Invalid token: Bearer [redacted]');
		expect(logged).not.toContain(KEY);
	});

	test('an Anyfast 401 that is plain text with the key in it', async () => {
		server.answerWith(() => ({ status: 401, body: `unauthorized: ${KEY}` }));
		const result = await runNode({
			credentials: server.credentials('anyfast', KEY),
			parameters: createParameters(),
		});
		expect(result.error?.message).toBe(
			'Creating the edit task failed (HTTP 401): unauthorized: [redacted]',
		);
		expect(everything(result)).not.toContain(KEY);
	});

	test('a 200 from an echoing service with the key in usage and in other fields', async () => {
		script(
			nativeSubmit,
			nativeStatus(
				{ task_id: TASK_ID, task_status: 'SUCCEEDED', video_url: VIDEO_URL, echo: KEY },
				{ usage: { duration: 5, authorization: `Bearer ${KEY}`, video_count: 1 } },
			),
		);
		const result = await runNode({
			credentials: server.credentials('native', KEY),
			parameters: createParameters({ downloadVideo: false }),
			continueOnFail: true,
		});
		expect(result.items[0].json).toMatchObject({ taskId: TASK_ID, status: 'SUCCEEDED' });
		expect(everything(result)).not.toContain(KEY);
	});

	test('a malformed answer quoting the key is quoted redacted', async () => {
		script({ status: 200, body: `<html>token ${KEY} rejected</html>` });
		const result = await runNode({
			credentials: server.credentials('native', KEY),
			parameters: createParameters(),
		});
		expect(result.error?.description).toContain('token [redacted] rejected');
		expect(everything(result)).not.toContain(KEY);
	});
});

test('a connection broken mid-answer leaves no trace of the key in the run', async () => {
	server.answerWith((_request, res) => {
		res.socket?.destroy();
		return undefined;
	});
	const result = await runNode({
		credentials: server.credentials('native', KEY),
		// Waiting, so the 1 s timeout bounds the retries of the broken reads.
		parameters: {
			operation: 'getTask',
			taskId: TASK_ID,
			waitForCompletion: true,
			downloadVideo: false,
			options: { timeout: 1 },
		},
	});
	expect(result.error?.message).toContain('Could not reach the HappyHorse API');
	expect(everything(result)).not.toContain(KEY);
});

describe('statuses and times in shapes the schemas did not expect', () => {
	test.each([
		['lowercase succeeded', ['succeeded']],
		['an unknown status, then SUCCEEDED', ['QUEUING', 'SUCCEEDED']],
		['mixed case running, then Succeeded', ['Running', 'Succeeded']],
	])('native: %s', async (_, statuses) => {
		script(
			nativeSubmit,
			...statuses.map((status) =>
				nativeStatus(
					{ task_id: TASK_ID, task_status: status, video_url: VIDEO_URL },
					{ usage: { duration: 5 } },
				),
			),
		);
		const { items, error } = await runNode({
			credentials: server.credentials('native'),
			parameters: createParameters({ downloadVideo: false }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			taskId: TASK_ID,
			status: 'SUCCEEDED',
			videoUrl: VIDEO_URL,
		});
		expect(queriesSeen()).toBe(statuses.length);
	});

	test('Get Task reports an unknown status as PENDING at once, after one query', async () => {
		server.answerWith(() => nativeStatus({ task_id: TASK_ID, task_status: 'QUEUING' }));
		const { items, error } = await runNode({
			credentials: server.credentials('native'),
			parameters: { operation: 'getTask', taskId: TASK_ID },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ taskId: TASK_ID, status: 'PENDING', requestId: 'req-query' });
		expect(queriesSeen()).toBe(1);
	});

	test('an unknown status is still waited on until the timeout, naming the task', async () => {
		script(nativeSubmit, nativeStatus({ task_id: TASK_ID, task_status: 'QUEUING' }));
		const { error } = await runNode({
			credentials: server.credentials('native'),
			parameters: createParameters({ options: { timeout: 1 } }),
		});
		expect(error?.message).toBe(`Task ${TASK_ID} is still PENDING after 1 s`);
	});

	test.each([
		['epoch seconds', 1777343961, '2026-04-28T02:39:21.000Z'],
		['epoch milliseconds', 1777343961250, '2026-04-28T02:39:21.250Z'],
	])('native: a numeric end_time in %s', async (_, endTime, iso) => {
		server.answerWith(() =>
			nativeStatus({ task_id: TASK_ID, task_status: 'RUNNING', end_time: endTime }),
		);
		const { items, error } = await runNode({
			credentials: server.credentials('native'),
			parameters: { operation: 'getTask', taskId: TASK_ID },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ status: 'RUNNING', finishedAt: iso });
	});

	test('anyfast: times as strings, a lowercase status', async () => {
		server.answerWith(() => ({
			status: 200,
			body: {
				code: 'success',
				data: {
					task_id: ANYFAST_ID,
					status: 'in_progress',
					submit_time: '1777343862',
					start_time: 1777343866,
					finish_time: '',
				},
			},
		}));
		const { items, error } = await runNode({
			credentials: server.credentials('anyfast'),
			parameters: { operation: 'getTask', taskId: ANYFAST_ID },
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({
			taskId: ANYFAST_ID,
			status: 'RUNNING',
			submittedAt: '2026-04-28T02:37:42.000Z',
			startedAt: '2026-04-28T02:37:46.000Z',
		});
	});
});

describe('task ids from the API are trusted only when they look like task ids', () => {
	test.each([['../../../../tmp/evil'], ['..'], ['.'], ['a/b'], ['x'.repeat(20_000)]])(
		'a submit answering task_id %#',
		async (taskId) => {
			script({ status: 200, body: { output: { task_id: taskId, task_status: 'PENDING' } } });
			const result = await runNode({
				credentials: server.credentials('native'),
				parameters: createParameters({ waitForCompletion: false }),
				continueOnFail: true,
			});
			const json = result.items[0].json;
			expect(json.taskId).toBeNull();
			expect(String(json.error)).toBe('The HappyHorse API gave an unexpected answer to the submit');
			// Never repeated, and nothing asked about the odd id.
			expect(server.requests).toHaveLength(1);
			expect(everything(result).length).toBeLessThan(20_000);
		},
	);

	test('a failed submit with an odd id says a task may exist, and which characters are allowed', async () => {
		script({ status: 200, body: { output: { task_id: '../x', task_status: 'PENDING' } } });
		const { error } = await runNode({
			credentials: server.credentials('native'),
			parameters: createParameters(),
		});
		expect(error?.description).toContain(
			'output.task_id: "../x" is not a task id (1 to 128 letters, digits',
		);
		expect(error?.description).toContain('a submit may have created a task');
	});

	test('anyfast: a submit answering an id that is a path', async () => {
		script({ status: 200, body: { id: '../v1/models', status: 'queued' } });
		const { error } = await runNode({
			credentials: server.credentials('anyfast'),
			parameters: createParameters(),
		});
		expect(error?.message).toBe('The HappyHorse API gave an unexpected answer to the submit');
		expect(server.requests).toHaveLength(1);
	});

	test('a status answer for another task is refused, once, naming the task asked for', async () => {
		script(nativeSubmit, nativeStatus({ task_id: 'another-task', task_status: 'SUCCEEDED' }));
		const { error } = await runNode({
			credentials: server.credentials('native'),
			parameters: createParameters(),
		});
		expect(error?.message).toContain(`task ${TASK_ID}`);
		expect(error?.description).toContain('"another-task"');
		expect(queriesSeen()).toBe(1);
	});

	test('anyfast: a status answer for another task is refused', async () => {
		server.answerWith(() => ({
			status: 200,
			body: { code: 'success', data: { task_id: 'asyntask_other', status: 'SUCCESS' } },
		}));
		const { error } = await runNode({
			credentials: server.credentials('anyfast'),
			parameters: { operation: 'getTask', taskId: ANYFAST_ID },
		});
		expect(error?.message).toContain(`task ${ANYFAST_ID}`);
		expect(queriesSeen()).toBe(1);
	});

	test('a task list holding an odd id is refused', async () => {
		server.answerWith(() => ({
			status: 200,
			body: { total: 1, total_page: 1, data: [{ task_id: '..', status: 'SUCCEEDED' }] },
		}));
		const { error } = await runNode({
			credentials: server.credentials('native'),
			parameters: { operation: 'listTasks' },
		});
		expect(error?.message).toBe('The HappyHorse API gave an unexpected answer to the task list');
		expect(server.requests).toHaveLength(1);
	});
});

describe('answers bounded in size and in what they carry', () => {
	test('a 30 MB status body is refused without being read whole', async () => {
		const chunk = Buffer.alloc(1024 * 1024, 0x20);
		server.answerWith((_request, res) => {
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-length': String(30 * chunk.length),
			});
			let sent = 0;
			const pump = () => {
				while (sent < 30 && res.write(chunk)) sent++;
				if (sent < 30) res.once('drain', pump);
				else res.end();
			};
			pump();
			return undefined;
		});
		const { error } = await runNode({
			credentials: server.credentials('native'),
			parameters: { operation: 'getTask', taskId: TASK_ID },
		});
		expect(error?.message).toContain(`task ${TASK_ID}`);
		expect(error?.description).toContain('larger than the 1 MB');
		expect(queriesSeen()).toBe(1);
	});

	test('a large answer sent without a length is cut off at the limit', async () => {
		server.answerWith((_request, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.write(`{"output": {"task_id": "${TASK_ID}", "task_status": "RUNNING", "pad": "`);
			const chunk = 'x'.repeat(64 * 1024);
			let sent = 0;
			const pump = () => {
				while (sent < 40 && res.write(chunk)) sent++;
				if (sent < 40) res.once('drain', pump);
				else res.end('"}}');
			};
			pump();
			return undefined;
		});
		const { error } = await runNode({
			credentials: server.credentials('native'),
			parameters: { operation: 'getTask', taskId: TASK_ID },
		});
		expect(error?.description).toContain('larger than the 1 MB');
	});

	test('only the known usage fields are copied into the output', async () => {
		server.answerWith(() =>
			nativeStatus(
				{ task_id: TASK_ID, task_status: 'SUCCEEDED', video_url: VIDEO_URL },
				{
					usage: {
						duration: 13.24,
						input_video_duration: 6.62,
						output_video_duration: 6.62,
						video_count: 1,
						SR: 720,
						padding: 'y'.repeat(10_000),
						nested: { deep: true },
					},
				},
			),
		);
		const { items } = await runNode({
			credentials: server.credentials('native'),
			parameters: { operation: 'getTask', taskId: TASK_ID },
		});
		expect(items[0].json.usage).toEqual({
			duration: 13.24,
			input_video_duration: 6.62,
			output_video_duration: 6.62,
			video_count: 1,
			SR: 720,
		});
	});
});

test('a redirect from the API is reported as one, with its target host, and not followed', async () => {
	server.answerWith(() => ({
		status: 307,
		body: '',
		headers: { location: 'https://elsewhere.example.net/api/v1/tasks/x' },
	}));
	const { error } = await runNode({
		credentials: server.credentials('native'),
		parameters: { operation: 'getTask', taskId: TASK_ID },
	});
	expect(error?.message).toBe(
		`Reading task ${TASK_ID} failed (HTTP 307): the API redirected to elsewhere.example.net`,
	);
	expect(error?.description).toContain('not followed');
	expect(server.requests).toHaveLength(1);
});
