import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { binaryOf } from '../../dev/harness/binaryData';
import { runNode } from '../../dev/harness/runNode';
import { describeBinaryRoundTrip, fixture } from './binaryRoundTrip';

const emulator = useEmulator();

describeBinaryRoundTrip('default', emulator);

test.each([
	['anyfast', 'the Anyfast gateway cannot take files'],
	['infiflow', 'this endpoint cannot take files'],
] as const)('%s: a file gets a clear error and nothing is sent', async (endpoint, message) => {
	const credentials =
		endpoint === 'anyfast'
			? credentialsFor(emulator, 'anyfast')
			: { apiKey: emulator.apiKey, endpoint: 'infiflow' };
	const video = fixture('good.mp4');
	const { error } = await runNode({
		credentials,
		items: [{ json: {}, binary: { data: await binaryOf(video, 'default') } }],
		parameters: createParameters({ videoSource: 'binary', videoBinaryProperty: 'data' }),
	});
	expect(error?.message).toBe(`Item 0: Input Binary Field (video): ${message}`);
	expect(error?.description).toContain('public URL');
	expect(emulator.requests).toHaveLength(0);
});

test('a 502 from the upload host is retried with the same policy: one object per file', async () => {
	emulator.failNextWith('upload', { type: 'html502' });
	const video = fixture('good.mp4');
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {}, binary: { data: await binaryOf(video, 'default') } }],
		parameters: createParameters({
			videoSource: 'binary',
			videoBinaryProperty: 'data',
			referenceImages: {},
			waitForCompletion: false,
		}),
	});
	expect(error).toBeUndefined();
	expect(emulator.requestsOf('policy')).toHaveLength(1);
	expect(emulator.requestsOf('upload')).toHaveLength(2);
	expect(
		[...emulator.uploadedObjects.values()].map((object) => object.bytes.equals(video.bytes)),
	).toEqual([true]);
	expect(emulator.createdTaskIds).toHaveLength(1);
});
