import { readFileSync } from 'node:fs';

import { HappyHorseEmulator } from '../dev/emulator';
import { mediaFixture as fixture } from '../dev/paths';

/**
 * What the emulator bills a video edit (`usage`, docs/API.md "Prices and billing"): the seconds of the video
 * it was given and of the one it gives back, read from the files it holds, not a sample figure.
 */

const emulator = new HappyHorseEmulator();
const MODEL = 'happyhorse-1.0-video-edit';

beforeAll(async () => emulator.start());
afterAll(async () => emulator.stop());
afterEach(() => emulator.reset());

async function call(method: string, url: string, body?: unknown, headers = {}): Promise<any> {
	const response = await fetch(url, {
		method,
		headers: { authorization: `Bearer ${emulator.apiKey}`, ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return await response.json();
}

/** Submits a video edit of this video and returns the usage its success reports. */
async function usageOfEdit(videoUrl: string, parameters: object = {}): Promise<unknown> {
	const submitted = await call(
		'POST',
		`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`,
		{
			model: MODEL,
			input: { prompt: 'Make it snow', media: [{ type: 'video', url: videoUrl }] },
			parameters,
		},
		{ 'x-dashscope-async': 'enable', 'x-dashscope-ossresourceresolve': 'enable' },
	);
	for (;;) {
		const task = await call('GET', `${emulator.nativeBaseUrl}/tasks/${submitted.output.task_id}`);
		if (task.output.task_status === 'SUCCEEDED') return task.usage;
	}
}

/** Uploads a file through the temporary upload, as the node does; returns its oss:// URL. */
async function upload(file: string): Promise<string> {
	const query = new URLSearchParams({ action: 'getPolicy', model: MODEL });
	const policy = (await call('GET', `${emulator.nativeBaseUrl}/uploads?${query}`)).data;
	const key = `${policy.upload_dir}/${file}`;
	const form = new FormData();
	for (const [name, value] of Object.entries({
		OSSAccessKeyId: policy.oss_access_key_id,
		Signature: policy.signature,
		policy: policy.policy,
		key,
		'x-oss-object-acl': policy.x_oss_object_acl,
		'x-oss-forbid-overwrite': policy.x_oss_forbid_overwrite,
		success_action_status: '200',
	})) {
		form.append(name, String(value));
	}
	form.append('file', new Blob([readFileSync(fixture(file))], { type: 'video/mp4' }), file);
	expect((await fetch(policy.upload_host, { method: 'POST', body: form })).status).toBe(200);
	return `oss://${key}`;
}

test('the sample video the examples link to is the real 4 s clip', async () => {
	const served = await fetch(`${emulator.origin}/samples/dance.mp4`);
	expect(Buffer.from(await served.arrayBuffer())).toEqual(readFileSync(fixture('good.mp4')));
});

test('an edit of the 4 s sample clip bills 4 s in and 4 s out', async () => {
	expect(await usageOfEdit(`${emulator.origin}/samples/dance.mp4`, { resolution: '720P' })).toEqual(
		{ duration: 8, input_video_duration: 4, output_video_duration: 4, video_count: 1, SR: 720 },
	);
});

test('an uploaded 61 s video bills 61 s in and the first 15 s out, at the default 1080P', async () => {
	expect(await usageOfEdit(await upload('too-long.mp4'))).toEqual({
		duration: 76,
		input_video_duration: 61,
		output_video_duration: 15,
		video_count: 1,
		SR: 1080,
	});
});

test('the output seconds are those of the result the task serves', async () => {
	emulator.taskScript = () => ({ videoBytes: readFileSync(fixture('too-short.mp4')) });
	expect(await usageOfEdit(await upload('good.mp4'))).toMatchObject({
		duration: 6,
		input_video_duration: 4,
		output_video_duration: 2,
	});
});

test('a video on another host, which the emulator cannot see, gets the sample answer of docs/API.md', async () => {
	expect(await usageOfEdit('https://media.example.com/in.mp4')).toEqual({
		duration: 13.24,
		input_video_duration: 6.62,
		output_video_duration: 6.62,
		video_count: 1,
		SR: 720,
	});
});
