import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import type { HappyHorseEmulator } from '../../dev/emulator';
import { createParameters, credentialsFor } from '../fixtures';
import type { BinaryMode, TestFile } from '../../dev/harness/binaryData';
import { binaryOf, bytesOf } from '../../dev/harness/binaryData';
import { runNode } from '../../dev/harness/runNode';

/**
 * Files in and out, the same cases in each of n8n's binary modes: the two test files
 * binaryDefault.test.ts and binaryFilesystem.test.ts call this with their mode.
 */

const MEDIA = join(__dirname, '..', 'fixtures', 'media');

export function fixture(name: string, fileName = name): TestFile {
	const mimeType = name.endsWith('.mov')
		? 'video/quicktime'
		: name.endsWith('.mp4')
			? 'video/mp4'
			: `image/${name.split('.').pop() === 'jpg' ? 'jpeg' : name.split('.').pop()}`;
	return { bytes: readFileSync(join(MEDIA, name)), fileName, mimeType };
}

async function itemWith(
	mode: BinaryMode,
	files: Record<string, TestFile>,
): Promise<INodeExecutionData> {
	const binary: INodeExecutionData['binary'] = {};
	for (const [property, file] of Object.entries(files))
		binary[property] = await binaryOf(file, mode);
	return { json: {}, binary };
}

const binaryParameters = (overrides: Record<string, unknown> = {}) =>
	createParameters({
		videoSource: 'binary',
		videoBinaryProperty: 'video',
		referenceImages: { images: [{ source: 'binary', binaryProperty: 'cloth' }] },
		...overrides,
	});

export function describeBinaryRoundTrip(mode: BinaryMode, emulator: HappyHorseEmulator): void {
	test(`binary in → edit → binary out (${mode} mode)`, async () => {
		const video = fixture('good.mp4', 'my clip (final).mp4');
		const cloth = fixture('good.png', 'sweater.png');
		const { items, error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: [await itemWith(mode, { video, cloth })],
			parameters: binaryParameters(),
		});
		expect(error).toBeUndefined();

		// One policy per file, for the task's model.
		const policies = emulator.requestsOf('policy');
		expect(
			policies.map((request) => new URL(request.path, emulator.origin).searchParams.get('model')),
		).toEqual(['happyhorse-1.0-video-edit', 'happyhorse-1.0-video-edit']);
		// The form as OSS wants it, file last, with the exact bytes; the API key never goes there.
		const uploads = emulator.requestsOf('upload');
		expect(uploads).toHaveLength(2);
		for (const upload of uploads) expect(upload.headers.authorization).toBeUndefined();
		const objects = [...emulator.uploadedObjects.values()];
		for (const object of objects) {
			expect(object.fieldOrder).toEqual([
				'OSSAccessKeyId',
				'Signature',
				'policy',
				'key',
				'x-oss-object-acl',
				'x-oss-forbid-overwrite',
				'success_action_status',
				'file',
			]);
		}
		const [videoObject, clothObject] = objects;
		expect(videoObject.bytes.equals(video.bytes)).toBe(true);
		expect(videoObject.contentType).toBe('video/mp4');
		expect(videoObject.fileName).toBe('my_clip_final_.mp4');
		expect(clothObject.bytes.equals(cloth.bytes)).toBe(true);
		expect(clothObject.contentType).toBe('image/png');

		// The submit points at the uploads and asks DashScope to resolve them.
		const [submit] = emulator.requestsOf('submit');
		expect(submit.headers['x-dashscope-ossresourceresolve']).toBe('enable');
		expect((submit.json as any).input.media).toEqual([
			{ type: 'video', url: `oss://${videoObject.key}` },
			{ type: 'reference_image', url: `oss://${clothObject.key}` },
		]);

		const [taskId] = emulator.createdTaskIds;
		const output = items[0].binary!.data;
		expect(output.fileName).toBe(`${taskId}.mp4`);
		expect(output.mimeType).toBe('video/mp4');
		if (mode === 'filesystem') expect(output.id).toBeDefined();
		expect((await bytesOf(output)).equals(emulator.resultBytes(taskId))).toBe(true);
	});

	test(`a MOV with its moov box at the end is accepted (${mode} mode)`, async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: [await itemWith(mode, { video: fixture('good.mov'), cloth: fixture('good.webp') })],
			parameters: binaryParameters({ waitForCompletion: false }),
		});
		expect(error).toBeUndefined();
		const moovAtEnd = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: [
				await itemWith(mode, { video: fixture('moov-at-end.mp4'), cloth: fixture('good.jpg') }),
			],
			parameters: binaryParameters({ waitForCompletion: false }),
		});
		expect(moovAtEnd.error).toBeUndefined();
		const types = [...emulator.uploadedObjects.values()].map((object) => object.contentType);
		expect(types).toEqual(['video/quicktime', 'image/webp', 'video/mp4', 'image/jpeg']);
	});

	const rejections: Array<[string, string, string]> = [
		['too-short.mp4', 'video', 'duration is 2.0 s (the API takes 3–60 s)'],
		['too-long.mp4', 'video', 'duration is 61.0 s (the API takes 3–60 s)'],
		['low-fps.mp4', 'video', 'frameRate is 8.0 fps (the API takes more than 8 fps)'],
		['too-small.mp4', 'video', 'shortSide is 240 px (640×240) (the API takes at least 360 px)'],
		['too-large-side.mp4', 'video', 'longSide is'],
		['hevc.mp4', 'video', 'codec is hvc1 (H.265) (the API takes H.264)'],
		['good.png', 'video', 'format is png (the API takes MP4 or MOV)'],
		['small.png', 'cloth', 'shortSide is'],
		['good.mp4', 'cloth', 'format is mp4 (the API takes JPEG, PNG or WEBP)'],
	];

	test.each(rejections)(
		`pre-flight refuses %s as the %s before anything is uploaded (${mode} mode)`,
		async (name, role, problem) => {
			const files =
				role === 'video'
					? { video: fixture(name), cloth: fixture('good.png') }
					: { video: fixture('good.mp4'), cloth: fixture(name) };
			const { error } = await runNode({
				credentials: credentialsFor(emulator, 'native'),
				// Item 0 is fine: it is not uploaded either, as every item is checked first.
				items: [
					await itemWith(mode, { video: fixture('good.mp4'), cloth: fixture('good.png') }),
					await itemWith(mode, files),
				],
				parameters: binaryParameters(),
			});
			const field = role === 'video' ? 'Input Binary Field (video)' : 'Reference Image 1';
			expect(error?.message).toContain(`Item 1: ${field} "${name}": ${problem}`);
			expect(emulator.requests).toHaveLength(0);
		},
	);

	test(`Check Files Before Upload off sends a file the checks would refuse (${mode} mode)`, async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: [
				await itemWith(mode, { video: fixture('too-short.mp4'), cloth: fixture('good.png') }),
			],
			parameters: binaryParameters({ waitForCompletion: false, options: { checkMedia: false } }),
		});
		expect(error).toBeUndefined();
		expect(emulator.createdTaskIds).toHaveLength(1);
	});

	test(`a rejected upload is an API error naming the file and the item (${mode} mode)`, async () => {
		emulator.failNext('upload', {
			status: 403,
			body: '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy</Message></Error>',
			headers: { 'content-type': 'application/xml' },
		});
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: [await itemWith(mode, { video: fixture('good.mp4'), cloth: fixture('good.png') })],
			parameters: binaryParameters(),
		});
		expect(error?.message).toBe(
			'Item 0: uploading Input Binary Field (video) "good.mp4" failed (HTTP 403): AccessDenied',
		);
		expect(error?.description).toContain('Invalid according to Policy');
		expect(emulator.createdTaskIds).toHaveLength(0);
	});

	test(`a refused upload policy is an API error naming the file (${mode} mode)`, async () => {
		emulator.failNext('policy', {
			status: 403,
			body: { code: 'AccessDenied', message: 'Access denied.', request_id: 'r' },
		});
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			items: [await itemWith(mode, { video: fixture('good.mp4'), cloth: fixture('good.png') })],
			parameters: binaryParameters(),
		});
		expect(error?.message).toBe(
			'Getting an upload policy for Input Binary Field (video) "good.mp4" failed (HTTP 403): AccessDenied: Access denied.',
		);
		expect(emulator.createdTaskIds).toHaveLength(0);
	});
}
