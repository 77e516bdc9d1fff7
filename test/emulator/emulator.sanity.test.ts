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
