import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Family } from '../../dev/emulator';
import { IMAGE_URL, createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

const image = (url: string) => ({ source: 'url', url });
const images = (count: number) =>
	Array.from({ length: count }, (_, index) => image(`https://media.example.com/${index}.png`));

interface BadInput {
	name: string;
	parameters: INodeParameters;
	message: string;
	family?: Family;
	items?: INodeExecutionData[];
}

/** Each of these must fail with its message, naming field and item, before any request. */
const badInputs: BadInput[] = [
	// n8n itself refuses an empty required parameter before the node runs.
	{ name: 'empty prompt', parameters: { prompt: '' }, message: 'Parameter "Prompt" is required' },
	{ name: 'blank prompt', parameters: { prompt: '   \n ' }, message: 'Item 0: Prompt is empty' },
	{
		name: 'prompt of 5001 latin characters',
		parameters: { prompt: 'a'.repeat(5001) },
		message: 'Item 0: Prompt is too long: 5001 of 5000 allowed (a Chinese character counts 2)',
	},
	{
		name: 'prompt of 2501 Chinese characters',
		parameters: { prompt: '海'.repeat(2501) },
		message: 'Item 0: Prompt is too long: 5002 of 5000 allowed (a Chinese character counts 2)',
	},
	{
		name: 'mixed prompt over the limit',
		parameters: { prompt: `${'海'.repeat(2000)}${'b'.repeat(1001)}` },
		message: 'Item 0: Prompt is too long: 5001 of 5000 allowed',
	},
	{
		name: 'empty video URL',
		parameters: { videoUrl: '' },
		message: 'Parameter "Video URL" is required',
	},
	{
		name: 'video URL empty from an expression',
		parameters: { videoUrl: '={{ $json.missing ?? "" }}' },
		message: 'Item 0: Video URL is empty',
	},
	{
		name: 'video URL that is no URL',
		parameters: { videoUrl: 'my video.mp4' },
		message: 'Item 0: Video URL "my video.mp4" is not a URL',
	},
	{
		name: 'ftp video URL',
		parameters: { videoUrl: 'ftp://example.com/a.mp4' },
		message: 'Item 0: Video URL must start with http:// or https:// (or oss://), not ftp://',
	},
	{
		name: 'file video URL',
		parameters: { videoUrl: 'file:///etc/passwd' },
		message: 'Item 0: Video URL must start with http:// or https:// (or oss://), not file://',
	},
	{
		name: 'oss:// video URL on Anyfast',
		family: 'anyfast',
		parameters: { videoUrl: 'oss://bucket/in.mp4' },
		message: 'Item 0: Video URL oss:// URLs work only with a DashScope endpoint',
	},
	{
		name: 'six reference images',
		parameters: { referenceImages: { images: images(6) } },
		message: 'At most 5 fields are allowed',
	},
	{
		name: 'no reference image on Anyfast',
		family: 'anyfast',
		parameters: { referenceImages: {} },
		message:
			'Item 0: Video and Reference Images hold 0 reference images; the Anyfast gateway takes exactly 1',
	},
	{
		name: 'two reference images on Anyfast',
		family: 'anyfast',
		parameters: { referenceImages: { images: images(2) } },
		message:
			'Item 0: Video and Reference Images hold 2 reference images; the Anyfast gateway takes exactly 1',
	},
	{
		name: 'empty reference image URL',
		parameters: { referenceImages: { images: [image(IMAGE_URL), image('')] } },
		message: 'Item 0: Reference Image 2 URL is empty',
	},
	{
		name: 'reference image URL with a bad scheme',
		parameters: { referenceImages: { images: [image('data:image/png;base64,AAAA')] } },
		message:
			'Item 0: Reference Image 1 URL must start with http:// or https:// (or oss://), not data://',
	},
	{
		name: 'negative seed',
		parameters: { options: { seed: -1 } },
		message: 'Item 0: Options → Seed must be between 0 and 2147483647',
	},
	{
		name: 'seed too large',
		parameters: { options: { seed: 2147483648 } },
		message: 'Item 0: Options → Seed must be between 0 and 2147483647',
	},
	{
		name: 'fractional seed',
		parameters: { options: { seed: 1.5 } },
		message: 'Item 0: Options → Seed must be a whole number',
	},
	{
		name: 'seed as text from an expression',
		parameters: { options: { seed: '={{ "abc" }}' } },
		message: 'Item 0: Options → Seed must be a whole number',
	},
	{
		name: 'unknown resolution from an expression',
		parameters: { options: { resolution: '={{ "4K" }}' } },
		message: 'Item 0: Options → Resolution must be 720P or 1080P, not "4K"',
	},
	{
		name: 'unknown audio setting from an expression',
		parameters: { options: { audioSetting: '={{ "mute" }}' } },
		message: 'Item 0: Options → Audio must be auto or origin, not "mute"',
	},
	{
		name: 'watermark as text from an expression',
		parameters: { options: { watermark: '={{ "yes" }}' } },
		message: 'Item 0: Options → Watermark must be true or false',
	},
	{
		name: 'empty model',
		parameters: { options: { model: ' ' } },
		message: 'Item 0: Options → Model is empty',
	},
	{
		name: 'zero poll interval',
		parameters: { options: { pollInterval: 0 } },
		message: 'Item 0: Options → Poll Interval (Seconds) must be more than 0 seconds',
	},
	{
		name: 'negative timeout',
		parameters: { options: { timeout: -5 } },
		message: 'Item 0: Options → Timeout (Seconds) must be more than 0 seconds',
	},
	{
		name: 'empty output binary field',
		parameters: { options: { binaryPropertyName: '' } },
		message: 'Item 0: Options → Put Output Video in Field is empty',
	},
	{
		name: 'binary video whose field is missing',
		parameters: { videoSource: 'binary', videoBinaryProperty: 'video' },
		items: [{ json: {} }],
		message: 'Item 0: Input Binary Field (video): the input item has no binary field "video"',
	},
	{
		name: 'binary video that is no video',
		parameters: { videoSource: 'binary', videoBinaryProperty: 'data' },
		items: [
			{ json: {}, binary: { data: { data: 'AAAA', mimeType: 'video/mp4', fileName: 'a.mp4' } } },
		],
		message:
			'Item 0: Input Binary Field (video) "a.mp4": format is not a known format (the API takes MP4 or MOV)',
	},
	{
		name: 'binary video on Anyfast, which cannot take files',
		family: 'anyfast',
		parameters: { videoSource: 'binary', videoBinaryProperty: 'data' },
		items: [
			{ json: {}, binary: { data: { data: 'AAAA', mimeType: 'video/mp4', fileName: 'a.mp4' } } },
		],
		message: 'Item 0: Input Binary Field (video): the Anyfast gateway cannot take files',
	},
	{
		name: 'binary reference image whose field is missing',
		parameters: { referenceImages: { images: [{ source: 'binary', binaryProperty: 'cloth' }] } },
		message: 'Item 0: Reference Image 1: the input item has no binary field "cloth"',
	},
	{
		name: 'bad input on the third item only',
		parameters: { prompt: '={{ $json.prompt }}' },
		items: [{ json: { prompt: 'ok' } }, { json: { prompt: 'ok too' } }, { json: { prompt: '' } }],
		message: 'Item 2: Prompt is empty',
	},
];

describe.each(badInputs)('$name', ({ parameters, message, family = 'native', items }) => {
	test('fails with a message that names field and item, before any request', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, family),
			parameters: createParameters(parameters),
			items,
		});
		expect(error?.message).toContain(message);
		expect(emulator.requests).toHaveLength(0);
	});
});

test('the table covers at least 25 bad inputs', () => {
	expect(badInputs.length).toBeGreaterThanOrEqual(25);
});

test('Get Task with an empty task ID fails before any request', async () => {
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: { operation: 'getTask', taskId: ' ' },
	});
	expect(error?.message).toBe('Item 0: Task ID is empty');
	expect(emulator.requests).toHaveLength(0);
});

test('a prompt of exactly 2500 Chinese characters is accepted', async () => {
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters({ prompt: '海'.repeat(2500), waitForCompletion: false }),
	});
	expect(error).toBeUndefined();
	expect(emulator.requestsOf('submit')).toHaveLength(1);
});

test('a custom endpoint without an http(s) base URL fails before any request', async () => {
	const { error } = await runNode({
		credentials: {
			apiKey: 'k',
			endpoint: 'custom',
			baseUrl: 'localhost:8080',
			apiFormat: 'native',
		},
		parameters: createParameters(),
	});
	expect(error?.message).toBe(
		'The HappyHorse credential\'s Base URL "localhost:8080" is not an http(s) URL',
	);
});
