import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { binaryOf } from '../../dev/harness/binaryData';
import { runNode } from '../../dev/harness/runNode';
import { FAMILIES, IMAGE_URL, credentialsFor, useEmulator } from '../fixtures';
import { png } from '../pictures';

const emulator = useEmulator();

const submitPath = {
	native: '/api/v1/services/aigc/video-generation/video-synthesis',
	anyfast: '/v1/video/generations',
};

async function itemWithPictures(pictures: Record<string, Buffer>): Promise<INodeExecutionData> {
	const binary: INodeExecutionData['binary'] = {};
	for (const [property, bytes] of Object.entries(pictures)) {
		binary[property] = await binaryOf(
			{ bytes, fileName: `${property}.png`, mimeType: 'image/png' },
			'default',
		);
	}
	return { json: {}, binary };
}

const fast = (options: INodeParameters = {}) => ({ pollInterval: 0.01, ...options });

const textToVideo = (overrides: INodeParameters = {}): INodeParameters => ({
	operation: 'createTextToVideoTask',
	prompt: 'A red fox running through fresh snow at dawn',
	waitForCompletion: false,
	...overrides,
	options: fast(overrides.options as INodeParameters),
});

const imageToVideo = (overrides: INodeParameters = {}): INodeParameters => ({
	operation: 'createImageToVideoTask',
	imageSource: 'url',
	imageUrl: IMAGE_URL,
	waitForCompletion: false,
	...overrides,
	options: fast(overrides.options as INodeParameters),
});

const referenceToVideo = (overrides: INodeParameters = {}): INodeParameters => ({
	operation: 'createReferenceToVideoTask',
	prompt: '[Image 1] hands [Image 2] a cup of coffee',
	referenceImages: {
		images: [
			{ source: 'url', url: 'https://media.example.com/a.png' },
			{ source: 'url', url: 'https://media.example.com/b.png' },
		],
	},
	waitForCompletion: false,
	...overrides,
	options: fast(overrides.options as INodeParameters),
});

describe.each(FAMILIES)('the family on the %s family', (family) => {
	const credentials = () => credentialsFor(emulator, family);
	const submitted = () => emulator.requestsOf('submit').map((request) => request.json);

	test('Create Text-to-Video Task sends the prompt and every option', async () => {
		const { items, error } = await runNode({
			credentials: credentials(),
			parameters: textToVideo({
				prompt: '  A red fox running through fresh snow at dawn  ',
				options: { resolution: '720P', ratio: '9:16', duration: 8, watermark: false, seed: 7 },
			}),
		});
		expect(error).toBeUndefined();
		expect(emulator.requestsOf('submit')[0].path).toBe(submitPath[family]);
		const parameters = {
			resolution: '720P',
			ratio: '9:16',
			duration: 8,
			watermark: false,
			seed: 7,
		};
		expect(submitted()).toEqual([
			family === 'native'
				? {
						model: 'happyhorse-1.0-t2v',
						input: { prompt: 'A red fox running through fresh snow at dawn' },
						parameters,
					}
				: {
						model: 'happyhorse-1.0-t2v',
						prompt: 'A red fox running through fresh snow at dawn',
						parameters,
					},
		]);
		expect(items).toEqual([
			{
				json: expect.objectContaining({ taskId: emulator.createdTaskIds[0], status: 'PENDING' }),
				pairedItem: { item: 0 },
			},
		]);
	});

	test('Create Text-to-Video Task without options sends no parameters', async () => {
		await runNode({ credentials: credentials(), parameters: textToVideo() });
		const prompt = 'A red fox running through fresh snow at dawn';
		expect(submitted()).toEqual([
			family === 'native'
				? { model: 'happyhorse-1.0-t2v', input: { prompt }, parameters: {} }
				: { model: 'happyhorse-1.0-t2v', prompt, parameters: {} },
		]);
	});

	test('Create Image-to-Video Task sends the first frame, and no prompt when none is given', async () => {
		const { error } = await runNode({
			credentials: credentials(),
			parameters: imageToVideo({ prompt: '', options: { duration: 4, resolution: '1080P' } }),
		});
		expect(error).toBeUndefined();
		const parameters = { duration: 4, resolution: '1080P' };
		expect(submitted()).toEqual([
			family === 'native'
				? {
						model: 'happyhorse-1.0-i2v',
						input: { media: [{ type: 'first_frame', url: IMAGE_URL }] },
						parameters,
					}
				: { model: 'happyhorse-1.0-i2v', image: IMAGE_URL, parameters },
		]);
	});

	test('Create Reference-to-Video Task sends the images in order', async () => {
		const { error } = await runNode({
			credentials: credentials(),
			parameters: referenceToVideo({ options: { ratio: '1:1', model: 'happyhorse-1.0-r2v' } }),
		});
		expect(error).toBeUndefined();
		const prompt = '[Image 1] hands [Image 2] a cup of coffee';
		const urls = ['https://media.example.com/a.png', 'https://media.example.com/b.png'];
		expect(submitted()).toEqual([
			family === 'native'
				? {
						model: 'happyhorse-1.0-r2v',
						input: { prompt, media: urls.map((url) => ({ type: 'reference_image', url })) },
						parameters: { ratio: '1:1' },
					}
				: { model: 'happyhorse-1.0-r2v', prompt, images: urls, parameters: { ratio: '1:1' } },
		]);
	});

	test.each([
		['an empty prompt', textToVideo({ prompt: '   ' }), 'Item 0: Prompt is empty'],
		[
			'a duration below 3',
			textToVideo({ options: { duration: 2 } }),
			'Item 0: Options → Duration (Seconds) must be between 3 and 15',
		],
		[
			'a duration above 15',
			imageToVideo({ options: { duration: 16 } }),
			'Item 0: Options → Duration (Seconds) must be between 3 and 15',
		],
		[
			'a duration that is not whole',
			textToVideo({ options: { duration: 3.5 } }),
			'Item 0: Options → Duration (Seconds) must be a whole number',
		],
		[
			'a ratio outside the list',
			textToVideo({ options: { ratio: '2:1' } }),
			'Item 0: Options → Aspect Ratio must be 16:9, 9:16, 1:1, 4:3, 3:4, 4:5, 5:4, 9:21 or 21:9, not "2:1"',
		],
		[
			'a resolution outside the list',
			referenceToVideo({ options: { resolution: '4K' } }),
			'Item 0: Options → Resolution must be 480P, 720P or 1080P, not "4K"',
		],
		[
			'a first frame URL that is not http(s)',
			imageToVideo({ imageUrl: 'ftp://media.example.com/a.png' }),
			`Item 0: Image URL must start with http:// or https://${family === 'native' ? ' (or oss://)' : ''}, not ftp://`,
		],
		[
			'a reference-to-video prompt that is empty',
			referenceToVideo({ prompt: '' }),
			'The \'HappyHorse\' node has issues:\n- Parameter "Prompt" is required.',
		],
		[
			'reference to video without images',
			referenceToVideo({ referenceImages: {} }),
			`Item 0: Reference Images hold 0 reference images; ${family === 'native' ? 'DashScope takes 1 to 9' : 'the Anyfast gateway takes 1 to 3'}`,
		],
		[
			'Additional Parameters that are not an object',
			textToVideo({ options: { additionalParameters: '[1, 2]' } }),
			'Item 0: Options → Additional Parameters must be a JSON object, e.g. {"prompt_extend": true}',
		],
		[
			'Additional Parameters that set an option of the node',
			textToVideo({ options: { additionalParameters: '{"duration": 10}' } }),
			'Item 0: Options → Additional Parameters sets "duration", which Options → Duration (Seconds) sets: use that option instead',
		],
	])('%s is refused before any request', async (_case, parameters, message) => {
		const { error } = await runNode({ credentials: credentials(), parameters });
		expect(error?.message).toMatch(
			new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test('the endpoint image count is said before anything is sent', async () => {
		const count = family === 'native' ? 10 : 4;
		const images = Array.from({ length: count }, (_, index) => ({
			source: 'url',
			url: `https://media.example.com/${index}.png`,
		}));
		const { error } = await runNode({
			credentials: credentials(),
			parameters: referenceToVideo({ referenceImages: { images } }),
		});
		// DashScope's 9 is also the field's own limit in the editor, which n8n checks first.
		expect(error?.message).toBe(
			family === 'native'
				? "The 'HappyHorse' node has issues:\n- At most 9 fields are allowed."
				: 'Item 0: Reference Images hold 4 reference images; the Anyfast gateway takes 1 to 3',
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test('Additional Parameters are merged into parameters, as JSON text or as an object', async () => {
		// The emulator takes the 1.1 fields only for 1.1 models, and Anyfast offers no 1.1 model:
		// its refusal still shows the body that was sent.
		const textRun = await runNode({
			credentials: credentials(),
			parameters: textToVideo({
				options: {
					model: 'happyhorse-1.1-t2v',
					duration: 6,
					additionalParameters: '{"prompt_extend": true}',
				},
			}),
		});
		const objectRun = await runNode({
			credentials: credentials(),
			parameters: textToVideo({
				options: { model: 'happyhorse-1.1-t2v', additionalParameters: { audio: true } },
			}),
		});
		const [first, second] = submitted() as Array<{ model: string; parameters: object }>;
		expect(first).toMatchObject({
			model: 'happyhorse-1.1-t2v',
			parameters: { duration: 6, prompt_extend: true },
		});
		expect(first.parameters).toEqual({ duration: 6, prompt_extend: true });
		expect(second.parameters).toEqual({ audio: true });
		if (family === 'native') {
			expect(textRun.error).toBeUndefined();
			expect(objectRun.error).toBeUndefined();
		} else {
			expect(textRun.error?.message).toMatch(/HTTP 400/);
		}
	});

	test('a FAILED text-to-video task is an error that names its taskId', async () => {
		emulator.taskScript = () => ({
			statuses: family === 'native' ? ['RUNNING', 'FAILED'] : ['IN_PROGRESS', 'FAILURE'],
			failure: { code: 'DataInspectionFailed', message: 'Inappropriate content.' },
		});
		const { error } = await runNode({
			credentials: credentials(),
			parameters: textToVideo({ waitForCompletion: true }),
		});
		const [taskId] = emulator.createdTaskIds;
		expect(error?.message).toBe(
			`Task ${taskId} failed: DataInspectionFailed: Inappropriate content.`,
		);
	});

	test('many text-to-video items are all submitted before the wait, then collected together', async () => {
		const { items, error } = await runNode({
			credentials: credentials(),
			parameters: textToVideo({ waitForCompletion: true, prompt: '={{ $json.prompt }}' }),
			items: Array.from({ length: 6 }, (_, index) => ({ json: { prompt: `Scene ${index}` } })),
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.status)).toEqual(Array(6).fill('SUCCEEDED'));
		expect(items.map((item) => item.pairedItem)).toEqual(
			Array.from({ length: 6 }, (_, item) => ({ item })),
		);
		expect(items.every((item) => item.binary?.data?.mimeType === 'video/mp4')).toBe(true);
		const kinds = emulator.requests.map((request) => request.kind);
		expect(kinds.lastIndexOf('submit')).toBeLessThan(kinds.indexOf('query'));
		expect(emulator.requestsOf('submit').map((request) => request.json)).toEqual(
			Array.from({ length: 6 }, (_, index) =>
				family === 'native'
					? { model: 'happyhorse-1.0-t2v', input: { prompt: `Scene ${index}` }, parameters: {} }
					: { model: 'happyhorse-1.0-t2v', prompt: `Scene ${index}`, parameters: {} },
			),
		);
	});
});

describe('files for the new kinds (DashScope temporary upload)', () => {
	const credentials = () => credentialsFor(emulator, 'native');

	test('a binary first frame is uploaded for the image-to-video model', async () => {
		const { error } = await runNode({
			credentials: credentials(),
			parameters: imageToVideo({ imageSource: 'binary', imageBinaryProperty: 'frame' }),
			items: [await itemWithPictures({ frame: png(640, 360) })],
		});
		expect(error).toBeUndefined();
		const [policy] = emulator.requestsOf('policy');
		expect(new URL(policy.path, emulator.origin).searchParams.get('model')).toBe(
			'happyhorse-1.0-i2v',
		);
		const [submit] = emulator.requestsOf('submit');
		expect(submit.headers['x-dashscope-ossresourceresolve']).toBe('enable');
		expect((submit.json as { input: { media: Array<{ url: string }> } }).input.media).toEqual([
			{ type: 'first_frame', url: expect.stringMatching(/^oss:\/\/.+\/frame\.png$/) },
		]);
	});

	test('binary character images over 256 KiB are uploaded for the reference-to-video model', async () => {
		// Smaller pictures go inline (test/node/inlinePictures.test.ts); bytes after IEND pad it.
		const hero = Buffer.concat([png(400, 600), Buffer.alloc(300 * 1024)]);
		const { error } = await runNode({
			credentials: credentials(),
			parameters: referenceToVideo({
				options: { model: 'happyhorse-1.1-r2v' },
				referenceImages: {
					images: [
						{ source: 'binary', binaryProperty: 'hero' },
						{ source: 'url', url: IMAGE_URL },
					],
				},
			}),
			items: [await itemWithPictures({ hero })],
		});
		expect(error).toBeUndefined();
		const policies = emulator.requestsOf('policy');
		expect(policies).toHaveLength(1);
		expect(new URL(policies[0].path, emulator.origin).searchParams.get('model')).toBe(
			'happyhorse-1.1-r2v',
		);
		const media = (emulator.requestsOf('submit')[0].json as { input: { media: unknown[] } }).input
			.media;
		expect(media).toEqual([
			{ type: 'reference_image', url: expect.stringMatching(/^oss:\/\/.+\/hero\.png$/) },
			{ type: 'reference_image', url: IMAGE_URL },
		]);
	});

	test.each([
		[
			'a first frame under 300 px',
			imageToVideo({ imageSource: 'binary', imageBinaryProperty: 'frame' }),
			{ frame: png(299, 400) },
			'Item 0: Input Binary Field (first frame) "frame.png": ',
		],
		[
			'a first frame wider than 2.5:1',
			imageToVideo({ imageSource: 'binary', imageBinaryProperty: 'frame' }),
			{ frame: png(1040, 400) },
			'Item 0: Input Binary Field (first frame) "frame.png": ',
		],
		[
			'a character image with a short side under 400 px',
			referenceToVideo({
				referenceImages: { images: [{ source: 'binary', binaryProperty: 'hero' }] },
			}),
			{ hero: png(399, 800) },
			'Item 0: Reference Image 1 "hero.png": ',
		],
	])('%s is refused before anything is uploaded', async (_case, parameters, pictures, start) => {
		const { error } = await runNode({
			credentials: credentials(),
			parameters,
			items: [await itemWithPictures(pictures)],
		});
		expect(error?.message.startsWith(start)).toBe(true);
		expect(emulator.requests).toHaveLength(0);
	});

	test('the Anyfast gateway cannot take a binary first frame, said before the file is read', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: imageToVideo({ imageSource: 'binary', imageBinaryProperty: 'missing' }),
		});
		expect(error?.message).toBe(
			'Item 0: Input Binary Field (first frame): the Anyfast gateway cannot take files',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});
