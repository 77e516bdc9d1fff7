import { HappyHorseEmulator } from './HappyHorseEmulator';

const emulator = new HappyHorseEmulator();
const body = {
	model: 'happyhorse-1.0-video-edit',
	input: {
		prompt: 'make it snow',
		media: [
			{ type: 'video', url: 'https://example.com/in.mp4' },
			{ type: 'reference_image', url: 'https://example.com/ref.png' },
		],
	},
};

async function call(
	method: string,
	url: string,
	headers: Record<string, string> = {},
	data?: object,
) {
	const response = await fetch(url, {
		method,
		headers: { authorization: `Bearer ${emulator.apiKey}`, ...headers },
		body: data === undefined ? undefined : JSON.stringify(data),
	});
	return { status: response.status, json: (await response.json()) as any };
}

beforeAll(async () => emulator.start());
afterAll(async () => emulator.stop());
afterEach(() => emulator.reset());

describe('HappyHorseEmulator', () => {
	it('runs a native task to SUCCEEDED and serves its bytes', async () => {
		const async = { 'x-dashscope-async': 'enable' };
		const base = emulator.nativeBaseUrl;
		const submitted = await call(
			'POST',
			`${base}/services/aigc/video-generation/video-synthesis`,
			async,
			body,
		);
		expect(submitted.status).toBe(200);
		const id = submitted.json.output.task_id as string;
		expect(emulator.createdTaskIds).toEqual([id]);
		const seen: string[] = [];
		let last: any;
		for (let i = 0; i < 4; i++) {
			last = (await call('GET', `${base}/tasks/${id}`)).json;
			seen.push(last.output.task_status);
		}
		expect(seen).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED', 'SUCCEEDED']);
		expect(last.output.submit_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
		expect(last.usage.duration).toBe(13.24);
		const video = await fetch(last.output.video_url as string);
		expect(video.headers.get('content-type')).toBe('video/mp4');
		expect(Buffer.from(await video.arrayBuffer())).toEqual(emulator.resultBytes(id));
		expect(emulator.requestsOf('query')).toHaveLength(4);
	});

	it('rejects bad keys, sync calls and bad bodies; cancels a pending task', async () => {
		const base = emulator.nativeBaseUrl;
		const submitUrl = `${base}/services/aigc/video-generation/video-synthesis`;
		const async = { 'x-dashscope-async': 'enable' };
		expect(
			(await call('POST', submitUrl, { authorization: 'Bearer nope', ...async }, body)).json.code,
		).toBe('InvalidApiKey');
		expect((await call('POST', submitUrl, {}, body)).status).toBe(403);
		expect((await call('POST', submitUrl, async, { model: 'x', input: {} })).status).toBe(400);
		const id = (await call('POST', submitUrl, async, body)).json.output.task_id as string;
		expect((await call('POST', `${base}/tasks/${id}/cancel`)).status).toBe(200);
		expect((await call('POST', `${base}/tasks/${id}/cancel`)).status).toBe(400);
		expect((await call('GET', `${base}/tasks/${id}`)).json.output.task_status).toBe('CANCELED');
		expect((await call('GET', `${base}/tasks`)).json.data[0].status).toBe('CANCELED');
	});

	it('runs an anyfast task to FAILURE and honours failNext', async () => {
		emulator.taskScript = () => ({
			statuses: ['FAILURE'],
			failure: { code: 'X', message: 'boom' },
		});
		const url = `${emulator.anyfastBaseUrl}/v1/video/generations`;
		const submitted = await call('POST', url, {}, body);
		expect(submitted.json.task_id).toMatch(/^asyntask_[0-9a-f]{24}$/);
		const queried = await call('GET', `${url}/${submitted.json.task_id}`);
		expect(queried.json.data).toMatchObject({
			status: 'FAILURE',
			fail_reason: 'boom',
			progress: '100%',
		});
		expect((await call('GET', `${url}/asyntask_missing`)).json.code).toBe('task_not_exist');
		emulator.failNext('models', { status: 502, body: '<html>bad gateway</html>' });
		const scripted = await fetch(`${emulator.origin}/v1/models`);
		expect([scripted.status, scripted.headers.get('content-type')]).toEqual([502, 'text/html']);
		expect((await call('GET', `${emulator.origin}/v1/models`)).json.data[0].id).toBe(
			'happyhorse-1.0-video-edit',
		);
	});
});

const asyncHeader = { 'x-dashscope-async': 'enable' };
const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function submitNative() {
	return call(
		'POST',
		`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`,
		asyncHeader,
		body,
	);
}

async function nativeStatus(id: string): Promise<string> {
	return (await call('GET', `${emulator.nativeBaseUrl}/tasks/${id}`)).json.output.task_status;
}

/** DashScope's zone-less Beijing time back to epoch ms. */
function fromBeijing(text: string): number {
	return Date.parse(`${text.replace(' ', 'T')}+08:00`);
}

describe('HappyHorseEmulator time-based tasks', () => {
	it('runs at most 5 at once; the 6th and 7th start exactly when the 1st and 2nd end', async () => {
		emulator.taskScript = () => ({ durationMs: 300 });
		for (let i = 0; i < 7; i++) expect((await submitNative()).status).toBe(200);
		const ids = [...emulator.createdTaskIds];
		const early = await Promise.all(ids.map(nativeStatus));
		expect(early).toEqual([
			'RUNNING',
			'RUNNING',
			'RUNNING',
			'RUNNING',
			'RUNNING',
			'PENDING',
			'PENDING',
		]);
		// Nobody polls while the slots change hands: start times must still be exact.
		await sleep(Math.max(0, emulator.taskTimes(ids[1]).submittedAt + 650 - Date.now()));
		const times = ids.map((id) => emulator.taskTimes(id));
		for (const [index, time] of times.entries()) {
			if (index < 5) expect(time.startedAt).toBe(time.submittedAt);
			expect(time.finishedAt).toBe((time.startedAt ?? NaN) + 300);
		}
		expect(times[5].startedAt).toBe(times[0].finishedAt);
		expect(times[6].startedAt).toBe(times[1].finishedAt);
		const last = (await call('GET', `${emulator.nativeBaseUrl}/tasks/${ids[6]}`)).json.output;
		expect(last.task_status).toBe('SUCCEEDED');
		expect(fromBeijing(last.submit_time)).toBe(times[6].submittedAt);
		expect(fromBeijing(last.scheduled_time)).toBe(times[6].startedAt);
		expect(fromBeijing(last.end_time)).toBe(times[6].finishedAt);
	});

	it('cancels a waiting task so it never runs; anyfast reports clock progress', async () => {
		emulator.limits.maxRunningTasks = 1;
		emulator.taskScript = (_body, family) =>
			family === 'native'
				? { durationMs: 150 }
				: { durationMs: 200, failure: { code: 'X', message: 'boom' } };
		await submitNative();
		await submitNative();
		const [first, second] = emulator.createdTaskIds;
		expect(await nativeStatus(second)).toBe('PENDING');
		expect((await call('POST', `${emulator.nativeBaseUrl}/tasks/${second}/cancel`)).status).toBe(
			200,
		);
		expect((await call('POST', `${emulator.nativeBaseUrl}/tasks/${first}/cancel`)).status).toBe(
			400,
		);
		const url = `${emulator.anyfastBaseUrl}/v1/video/generations`;
		const anyfastId = (await call('POST', url, {}, body)).json.task_id as string;
		await sleep(100);
		const running = (await call('GET', `${url}/${anyfastId}`)).json.data;
		expect(running.status).toBe('IN_PROGRESS');
		expect(Number.parseInt(running.progress, 10)).toBeGreaterThanOrEqual(40);
		await sleep(200);
		expect(await nativeStatus(first)).toBe('SUCCEEDED');
		expect(await nativeStatus(second)).toBe('CANCELED');
		expect(emulator.taskTimes(second).startedAt).toBeUndefined();
		const failed = (await call('GET', `${url}/${anyfastId}`)).json.data;
		expect(failed).toMatchObject({ status: 'FAILURE', fail_reason: 'boom', progress: '100%' });
		expect(failed.finish_time).toBe(
			Math.floor((emulator.taskTimes(anyfastId).finishedAt ?? 0) / 1000),
		);
	});
});

describe('HappyHorseEmulator rate limits', () => {
	it('answers 429 with Retry-After to a submit over the limit and creates no task', async () => {
		emulator.limits = { submitsPerSecond: 2, maxRunningTasks: 5 };
		expect((await submitNative()).status).toBe(200);
		expect((await submitNative()).status).toBe(200);
		const response = await fetch(
			`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`,
			{
				method: 'POST',
				headers: { authorization: `Bearer ${emulator.apiKey}`, ...asyncHeader },
				body: JSON.stringify(body),
			},
		);
		expect(response.status).toBe(429);
		expect(response.headers.get('retry-after')).toBe('1');
		expect(await response.json()).toMatchObject({
			code: 'Throttling.RateQuota',
			message: 'Requests rate limit exceeded, please try again later.',
			request_id: expect.any(String),
		});
		expect(emulator.createdTaskIds).toHaveLength(2);
		// The Anyfast gateway is another account with its own window.
		const url = `${emulator.anyfastBaseUrl}/v1/video/generations`;
		expect((await call('POST', url, {}, body)).status).toBe(200);
		expect((await call('POST', url, {}, body)).status).toBe(200);
		expect(await call('POST', url, {}, body)).toEqual({
			status: 429,
			json: {
				error: {
					message: 'rate limit exceeded',
					type: 'rate_limit_error',
					code: 'rate_limit_exceeded',
				},
			},
		});
		expect(emulator.createdTaskIds).toHaveLength(4);
		expect(emulator.throttled).toEqual({ submit: 2, query: 0 });
	});

	it('counts queries, cancels and lists together in a sliding second', async () => {
		emulator.limits = { queriesPerSecond: 3, maxRunningTasks: 5 };
		const id = (await submitNative()).json.output.task_id as string;
		const base = emulator.nativeBaseUrl;
		expect((await call('GET', `${base}/tasks/${id}`)).status).toBe(200);
		expect((await call('POST', `${base}/tasks/${id}/cancel`)).status).toBe(200);
		expect((await call('GET', `${base}/tasks`)).status).toBe(200);
		const refused = await call('GET', `${base}/tasks/${id}`);
		expect([refused.status, refused.json.code]).toEqual([429, 'Throttling.RateQuota']);
		expect(emulator.throttled).toEqual({ submit: 0, query: 1 });
		await sleep(1050);
		expect((await call('GET', `${base}/tasks/${id}`)).status).toBe(200);
		emulator.reset();
		expect(emulator.limits).toEqual({ maxRunningTasks: 5 });
		expect(emulator.throttled).toEqual({ submit: 0, query: 0 });
	});
});

describe('HappyHorseEmulator faults', () => {
	const submitUrl = () =>
		`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`;
	const submitInit = (): RequestInit => ({
		method: 'POST',
		headers: { authorization: `Bearer ${emulator.apiKey}`, ...asyncHeader },
		body: JSON.stringify(body),
	});

	it('resets the socket, before or after creating the task', async () => {
		const id = (await submitNative()).json.output.task_id as string;
		emulator.failNextWith('query', { type: 'reset' });
		await expect(fetch(`${emulator.nativeBaseUrl}/tasks/${id}`)).rejects.toThrow();
		expect(await nativeStatus(id)).toBe('PENDING');
		emulator.failNextWith('submit', { type: 'reset', afterCreate: true });
		await expect(fetch(submitUrl(), submitInit())).rejects.toThrow();
		expect(emulator.createdTaskIds).toHaveLength(2);
		expect(emulator.requestsOf('submit')).toHaveLength(2);
		expect(() => emulator.failNextWith('query', { type: 'status500AfterCreate' } as any)).toThrow(
			/cannot create a task/,
		);
	});

	it('answers slowly without blocking other requests', async () => {
		emulator.failNextWith('submit', { type: 'slow', delayMs: 300 });
		emulator.failNextWith('query', { type: 'slow', delayMs: 200, then: { type: 'html502' } });
		const started = Date.now();
		let slowAnswered = false;
		const slow = fetch(submitUrl(), submitInit()).finally(() => (slowAnswered = true));
		const slowQuery = fetch(`${emulator.nativeBaseUrl}/tasks/x`);
		expect((await call('GET', `${emulator.origin}/v1/models`)).status).toBe(200);
		expect(slowAnswered).toBe(false);
		expect(emulator.createdTaskIds).toHaveLength(0);
		expect((await slowQuery).status).toBe(502);
		const response = await slow;
		expect(Date.now() - started).toBeGreaterThanOrEqual(300);
		expect(response.status).toBe(200);
		expect(emulator.createdTaskIds).toHaveLength(1);
	});

	it('sends truncated JSON, an nginx 502 page and a 500 after creating the task', async () => {
		emulator.failNextWith('query', { type: 'malformed' });
		emulator.failNextWith('query', { type: 'html502' });
		emulator.failNext('query', { status: 503, body: { code: 'ModelUnavailable', message: 'x' } });
		const url = `${emulator.nativeBaseUrl}/tasks/x`;
		const malformed = await fetch(url);
		expect([malformed.status, malformed.headers.get('content-type')]).toEqual([
			200,
			'application/json',
		]);
		expect(await malformed.text()).toBe('{"output": {"task_status": ');
		const html = await fetch(url);
		expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html']);
		expect(await html.text()).toContain('<center>nginx</center>');
		expect((await call('GET', url)).status).toBe(503);
		expect(emulator.requestsOf('query')).toHaveLength(3);

		emulator.failNextWith('submit', { type: 'status500AfterCreate' });
		const ambiguous = await call('POST', submitUrl(), asyncHeader, body);
		expect([ambiguous.status, ambiguous.json.code]).toEqual([500, 'InternalError']);
		expect(emulator.createdTaskIds).toHaveLength(1);
		expect(await nativeStatus(emulator.createdTaskIds[0])).toBe('PENDING');
	});

	it('stops promptly while a slow answer is pending', async () => {
		const own = new HappyHorseEmulator();
		await own.start();
		own.failNextWith('download', { type: 'slow', delayMs: 10_000 });
		const pending = fetch(`${own.origin}/results/x.mp4`);
		await sleep(50);
		const started = Date.now();
		await own.stop();
		expect(Date.now() - started).toBeLessThan(500);
		await expect(pending).rejects.toThrow();
	});
});
