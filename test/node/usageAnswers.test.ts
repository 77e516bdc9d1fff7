import { runNode } from '../../dev/harness/runNode';
import { useHostileServer } from './hostileServer';

/**
 * `usage` as answers carry it in the wild (docs/API.md, "Query"): `SR` as text, an SDK's
 * camelCase keys, `ratio` and `fps`. Each is copied under its documented name, figures as
 * numbers; what is not a usage field stays out.
 */

const server = useHostileServer();

const TASK_ID = '0385dc79-5ff8-4d82-bcb6-5e8ee3d5f2a1';
const ANYFAST_ID = 'asyntask_0123456789abcdef01234567';
const VIDEO_URL = 'https://result.example.com/out.mp4?Expires=1';

async function usageOfNative(usage: unknown): Promise<unknown> {
	server.answerWith(() => ({
		status: 200,
		body: {
			request_id: 'req-query',
			output: { task_id: TASK_ID, task_status: 'SUCCEEDED', video_url: VIDEO_URL },
			usage,
		},
	}));
	const { items, error } = await runNode({
		credentials: server.credentials('native'),
		parameters: { operation: 'getTask', taskId: TASK_ID },
	});
	expect(error).toBeUndefined();
	return items[0].json.usage;
}

test.each([
	[
		'SR as text, with ratio and fps',
		{ duration: 5, video_count: 1, SR: '720', ratio: '9:16', fps: 24 },
		{ duration: 5, video_count: 1, SR: 720, ratio: '9:16', fps: 24 },
	],
	[
		'camelCase keys and sr',
		{
			duration: '13.24',
			inputVideoDuration: 6.62,
			outputVideoDuration: '6.62',
			videoCount: 1,
			sr: 1080,
		},
		{
			duration: 13.24,
			input_video_duration: 6.62,
			output_video_duration: 6.62,
			video_count: 1,
			SR: 1080,
		},
	],
	[
		'an odd ratio and fps as text',
		{ duration: 5, ratio: '3368:3409', fps: '24' },
		{ duration: 5, ratio: '3368:3409', fps: 24 },
	],
	[
		'the documented name where both spellings come',
		{ SR: 720, sr: 1080, video_count: 1, videoCount: 2 },
		{ SR: 720, video_count: 1 },
	],
	[
		'figures that are not numbers, and fields that are not usage',
		{ duration: 'five', SR: '720p', fps: { value: 24 }, ratio: 16, tokens: 5, video_count: 1 },
		{ video_count: 1 },
	],
])('native: %s', async (_case, usage, copied) => {
	expect(await usageOfNative(usage)).toEqual(copied);
});

test('anyfast: the usage DashScope passes on is read the same way', async () => {
	server.answerWith(() => ({
		status: 200,
		body: {
			code: 'success',
			data: {
				task_id: ANYFAST_ID,
				status: 'SUCCESS',
				result_url: VIDEO_URL,
				data: { output: {}, usage: { duration: 5, sr: '480', ratio: '16:9', fps: '24' } },
			},
		},
	}));
	const { items, error } = await runNode({
		credentials: server.credentials('anyfast'),
		parameters: { operation: 'getTask', taskId: ANYFAST_ID },
	});
	expect(error).toBeUndefined();
	expect(items[0].json.usage).toEqual({ duration: 5, SR: 480, ratio: '16:9', fps: 24 });
});
