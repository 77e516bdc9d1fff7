import {
	FAMILIES,
	IMAGE_URL,
	VIDEO_URL,
	createParameters,
	credentialsFor,
	useEmulator,
	worstCaseEditEstimate,
} from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

const submitPath = {
	native: '/api/v1/services/aigc/video-generation/video-synthesis',
	anyfast: '/v1/video/generations',
};

describe.each(FAMILIES)('Create Edit Task on the %s family', (family) => {
	test('sends the native body with every parameter mapped', async () => {
		const images =
			family === 'native'
				? [
						{ source: 'url', url: IMAGE_URL },
						{ source: 'url', url: 'https://media.example.com/b.webp' },
						{ source: 'url', url: 'https://media.example.com/c.jpg' },
					]
				: [{ source: 'url', url: IMAGE_URL }];
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters({
				prompt: '  Dress the person in the sweater from the picture  ',
				referenceImages: { images },
				waitForCompletion: false,
				options: {
					resolution: '720P',
					watermark: false,
					audioSetting: 'origin',
					seed: 42,
					model: 'happyhorse-1.0-video-edit',
				},
			}),
		});
		expect(error).toBeUndefined();

		const submits = emulator.requestsOf('submit');
		expect(submits).toHaveLength(1);
		expect(submits[0].method).toBe('POST');
		expect(submits[0].path).toBe(submitPath[family]);
		expect(submits[0].json).toEqual({
			model: 'happyhorse-1.0-video-edit',
			input: {
				prompt: 'Dress the person in the sweater from the picture',
				media: [
					{ type: 'video', url: VIDEO_URL },
					...images.map((image) => ({ type: 'reference_image', url: image.url })),
				],
			},
			parameters: { resolution: '720P', watermark: false, audio_setting: 'origin', seed: 42 },
		});
		// Without waiting nothing else is called: the task is handed on at once.
		expect(emulator.requests).toHaveLength(1);
		expect(items).toEqual([
			{
				json: {
					taskId: emulator.createdTaskIds[0],
					status: 'PENDING',
					...(family === 'native' ? { requestId: expect.any(String) } : {}),
					estimate: worstCaseEditEstimate(),
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('leaves out every parameter that is not set', async () => {
		await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters({ waitForCompletion: false, options: {} }),
		});
		expect(emulator.requestsOf('submit')[0].json).toEqual({
			model: 'happyhorse-1.0-video-edit',
			input: {
				prompt: 'Replace the background with a beach at sunset',
				media: [
					{ type: 'video', url: VIDEO_URL },
					{ type: 'reference_image', url: IMAGE_URL },
				],
			},
			parameters: {},
		});
	});

	test('sends the API key as a bearer token, JSON, and the async header only to native', async () => {
		await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters({ waitForCompletion: true }),
		});
		const [submit] = emulator.requestsOf('submit');
		expect(submit.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
		expect(submit.headers['content-type']).toBe('application/json');
		expect(submit.headers['x-dashscope-async']).toBe(family === 'native' ? 'enable' : undefined);
		for (const query of emulator.requestsOf('query')) {
			expect(query.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
		}
		const downloads = emulator.requestsOf('download');
		expect(downloads).toHaveLength(1);
		// The video lives on another host in production: the key must never go there.
		expect(downloads[0].headers.authorization).toBeUndefined();
		expect(JSON.stringify(downloads[0].headers)).not.toContain(emulator.apiKey);
	});
});

test('the native family sends no reference image when none is given', async () => {
	await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters({ referenceImages: {}, waitForCompletion: false }),
	});
	expect((emulator.requestsOf('submit')[0].json as { input: unknown }).input).toEqual({
		prompt: 'Replace the background with a beach at sunset',
		media: [{ type: 'video', url: VIDEO_URL }],
	});
});

test('the native family takes oss:// URLs, and asks DashScope to resolve them', async () => {
	// A URL from an upload made elsewhere: the emulator does not know its object.
	emulator.checkOssUrls = false;
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters({
			videoUrl: 'oss://dashscope-instant/abc/2026/in.mp4',
			waitForCompletion: false,
		}),
	});
	expect(error).toBeUndefined();
	const [submit] = emulator.requestsOf('submit');
	expect((submit.json as any).input.media[0].url).toBe('oss://dashscope-instant/abc/2026/in.mp4');
	expect(submit.headers['x-dashscope-ossresourceresolve']).toBe('enable');
});

test('each input item becomes its own task, in item order, with its own parameters', async () => {
	const { items } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: { p: 'make it snow' } }, { json: { p: 'make it rain' } }],
		parameters: createParameters({
			prompt: '={{ $json.p }}',
			waitForCompletion: false,
			options: { seed: '={{ $itemIndex + 7 }}' },
		}),
	});
	const bodies = emulator.requestsOf('submit').map((request) => request.json as any);
	expect(bodies.map((body) => [body.input.prompt, body.parameters.seed])).toEqual([
		['make it snow', 7],
		['make it rain', 8],
	]);
	expect(items.map((item) => [item.json.taskId, item.pairedItem])).toEqual([
		[emulator.createdTaskIds[0], { item: 0 }],
		[emulator.createdTaskIds[1], { item: 1 }],
	]);
});
