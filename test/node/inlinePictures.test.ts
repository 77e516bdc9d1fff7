import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { BinaryMode } from '../../dev/harness/binaryData';
import { binaryOf } from '../../dev/harness/binaryData';
import { runNode } from '../../dev/harness/runNode';
import { KNOWN_ENDPOINTS } from '../../nodes/HappyHorse/transport/endpoints';
import { IMAGE_URL, credentialsFor, useEmulator } from '../fixtures';
import { png } from '../pictures';

/**
 * Pictures inline (docs/API.md, "Pictures inline"): on the infiflow proxy, which has no
 * temporary upload, the reference images of references to video from binary fields go inside
 * the submit as data: URIs, with the MIME type their own bytes show. The credential is the real
 * infiflow variant (its table entry, no upload), with its base URL pointed at the emulator:
 * a test never calls the real host.
 */

const emulator = useEmulator();
beforeEach(() => {
	jest.replaceProperty(KNOWN_ENDPOINTS.infiflow, 'baseUrl', emulator.nativeBaseUrl);
});
afterEach(() => jest.restoreAllMocks());

const infiflow = () => ({ apiKey: emulator.apiKey, endpoint: 'infiflow' });
const PROMPT = 'The woman from [Image 1] holds the sweater from [Image 2] up to the camera';

const referenceToVideo = (options: INodeParameters = {}): INodeParameters => ({
	operation: 'createReferenceToVideoTask',
	prompt: PROMPT,
	referenceImages: {
		images: [
			{ source: 'binary', binaryProperty: 'woman' },
			{ source: 'url', url: IMAGE_URL },
		],
	},
	waitForCompletion: false,
	options,
});

async function itemWith(
	file: { bytes: Buffer; fileName: string; mimeType: string },
	mode: BinaryMode = 'default',
): Promise<INodeExecutionData> {
	return { json: {}, binary: { woman: await binaryOf(file, mode) } };
}

const submitted = () => emulator.requestsOf('submit');

/** The first bytes of a JPEG and a WEBP: enough for the sniffing, with the checks off. */
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const WEBP_HEAD = Buffer.concat([
	Buffer.from('RIFF'),
	Buffer.from([0x24, 0, 0, 0]),
	Buffer.from('WEBPVP8 '),
]);

describe.each<BinaryMode>(['default', 'filesystem'])('infiflow, %s binary mode', (mode) => {
	test('a reference image from a binary field goes inline: the exact data: URI, no upload', async () => {
		const picture = png(400, 600);
		const { items, error } = await runNode({
			credentials: infiflow(),
			parameters: referenceToVideo(),
			items: [
				await itemWith({ bytes: picture, fileName: 'woman.png', mimeType: 'image/png' }, mode),
			],
		});
		expect(error).toBeUndefined();
		expect(emulator.requests.map((request) => request.kind)).toEqual(['submit']);
		const [submit] = submitted();
		expect(submit.path).toBe('/api/v1/services/aigc/video-generation/video-synthesis');
		expect(submit.headers['x-dashscope-ossresourceresolve']).toBeUndefined();
		expect(submit.json).toEqual({
			model: 'happyhorse-1.0-r2v',
			input: {
				prompt: PROMPT,
				media: [
					{ type: 'reference_image', url: `data:image/png;base64,${picture.toString('base64')}` },
					{ type: 'reference_image', url: IMAGE_URL },
				],
			},
			parameters: {},
		});
		expect(items[0].json).toMatchObject({ taskId: emulator.createdTaskIds[0], status: 'PENDING' });
	});
});

describe('DashScope endpoints, with their temporary upload (INLINE_WITH_UPLOAD_MAX_BYTES)', () => {
	const dashscope = () => credentialsFor(emulator, 'native');

	test('a picture up to 256 KiB goes inline too: no upload, no OSS header', async () => {
		const picture = Buffer.concat([png(400, 600), Buffer.alloc(256 * 1024 - png(400, 600).length)]);
		expect(picture.length).toBe(256 * 1024);
		const { error } = await runNode({
			credentials: dashscope(),
			parameters: referenceToVideo({ model: 'happyhorse-1.1-r2v' }),
			items: [await itemWith({ bytes: picture, fileName: 'woman.png', mimeType: 'image/png' })],
		});
		expect(error).toBeUndefined();
		expect(emulator.requests.map((request) => request.kind)).toEqual(['submit']);
		const [submit] = submitted();
		expect(submit.headers['x-dashscope-ossresourceresolve']).toBeUndefined();
		expect((submit.json as { input: { media: unknown[] } }).input.media).toEqual([
			{ type: 'reference_image', url: `data:image/png;base64,${picture.toString('base64')}` },
			{ type: 'reference_image', url: IMAGE_URL },
		]);
	});

	test('one byte more is uploaded, as before', async () => {
		const picture = Buffer.concat([
			png(400, 600),
			Buffer.alloc(256 * 1024 + 1 - png(400, 600).length),
		]);
		const { error } = await runNode({
			credentials: dashscope(),
			parameters: referenceToVideo(),
			items: [await itemWith({ bytes: picture, fileName: 'woman.png', mimeType: 'image/png' })],
		});
		expect(error).toBeUndefined();
		expect(emulator.requests.map((request) => request.kind)).toEqual([
			'policy',
			'upload',
			'submit',
		]);
		const [submit] = submitted();
		expect(submit.headers['x-dashscope-ossresourceresolve']).toBe('enable');
		expect(
			(submit.json as { input: { media: Array<{ url: string }> } }).input.media[0].url,
		).toMatch(/^oss:\/\/.+\/woman\.png$/);
	});

	test('a small file a data: URI cannot carry is uploaded, and the API judges it', async () => {
		const { error } = await runNode({
			credentials: dashscope(),
			parameters: referenceToVideo({ checkMedia: false }),
			items: [
				await itemWith({
					bytes: Buffer.from('GIF89a……'),
					fileName: 'woman.gif',
					mimeType: 'image/gif',
				}),
			],
		});
		expect(error).toBeUndefined();
		expect(emulator.requests.map((request) => request.kind)).toEqual([
			'policy',
			'upload',
			'submit',
		]);
	});
});

describe('the MIME type comes from the file’s own bytes', () => {
	test.each([
		['a JPEG named .bin', JPEG_HEAD, 'image/jpeg'],
		['a WEBP sent as image/png', WEBP_HEAD, 'image/webp'],
	])('%s', async (_case, head, mimeType) => {
		const bytes = Buffer.concat([head, Buffer.alloc(64, 7)]);
		const { error } = await runNode({
			credentials: infiflow(),
			parameters: referenceToVideo({ checkMedia: false }),
			items: [await itemWith({ bytes, fileName: 'woman.bin', mimeType: 'image/png' })],
		});
		expect(error).toBeUndefined();
		const media = (submitted()[0].json as { input: { media: Array<{ url: string }> } }).input.media;
		expect(media[0].url).toBe(`data:${mimeType};base64,${bytes.toString('base64')}`);
		expect(emulator.requestsOf('policy')).toHaveLength(0);
	});
});

describe('what cannot go inline: an error of the item, before any request', () => {
	test.each([
		[
			'a GIF, even with the checks off',
			{ bytes: Buffer.from('GIF89a……'), fileName: 'woman.gif', mimeType: 'image/gif' },
			'Item 0: Reference Image 1 "woman.gif": is not a JPEG, PNG or WEBP picture (judged by its own bytes)',
		],
		[
			'a picture over 20 MB, refused on its size before it is encoded',
			{
				bytes: Buffer.concat([png(400, 400), Buffer.alloc(20 * 1024 * 1024)]),
				fileName: 'woman.png',
				mimeType: 'image/png',
			},
			'Item 0: Reference Image 1 "woman.png": size is 20.0 MB (the API takes at most 20 MB)',
		],
	])('%s', async (_case, file, message) => {
		const { error } = await runNode({
			credentials: infiflow(),
			parameters: referenceToVideo({ checkMedia: false }),
			items: [await itemWith(file)],
		});
		expect(error?.message).toBe(message);
		expect(error?.description).toContain('This endpoint has no upload');
		expect(emulator.requests).toHaveLength(0);
	});

	test('a first frame from a binary field keeps the clear error: inline is for references only', async () => {
		const { error } = await runNode({
			credentials: infiflow(),
			parameters: {
				operation: 'createImageToVideoTask',
				imageSource: 'binary',
				imageBinaryProperty: 'woman',
				waitForCompletion: false,
			},
			items: [
				await itemWith({ bytes: png(640, 360), fileName: 'woman.png', mimeType: 'image/png' }),
			],
		});
		expect(error?.message).toBe(
			'Item 0: Input Binary Field (first frame): this endpoint cannot take files',
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test('a video edit reference image from a binary field keeps the clear error', async () => {
		const { error } = await runNode({
			credentials: infiflow(),
			parameters: {
				operation: 'createEditTask',
				prompt: 'Put the sweater of the picture on the dancer',
				videoSource: 'url',
				videoUrl: 'https://media.example.com/input.mp4',
				referenceImages: { images: [{ source: 'binary', binaryProperty: 'woman' }] },
				waitForCompletion: false,
			},
			items: [
				await itemWith({ bytes: png(400, 400), fileName: 'woman.png', mimeType: 'image/png' }),
			],
		});
		expect(error?.message).toBe('Item 0: Reference Image 1: this endpoint cannot take files');
		expect(emulator.requests).toHaveLength(0);
	});

	test('Anyfast takes public URLs only: its reference images keep the clear error', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: referenceToVideo(),
			items: [
				await itemWith({ bytes: png(400, 600), fileName: 'woman.png', mimeType: 'image/png' }),
			],
		});
		expect(error?.message).toBe('Item 0: Reference Image 1: the Anyfast gateway cannot take files');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('a data: URI given in a reference image URL field (DashScope)', () => {
	const withUrl = (url: string): INodeParameters => ({
		...referenceToVideo(),
		referenceImages: { images: [{ source: 'url', url }] },
	});

	test('a JPEG, PNG or WEBP data: URI is passed on as it is', async () => {
		const url = `data:image/png;base64,${png(400, 400).toString('base64')}`;
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: withUrl(url),
		});
		expect(error).toBeUndefined();
		expect((submitted()[0].json as { input: { media: unknown[] } }).input.media).toEqual([
			{ type: 'reference_image', url },
		]);
	});

	test('another type is refused before any request', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: withUrl('data:image/gif;base64,R0lGODlh'),
		});
		expect(error?.message).toBe(
			'Item 0: Reference Image 1 URL must be a data:image/jpeg, image/png or image/webp URI in base64',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});
