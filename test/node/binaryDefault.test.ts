import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../harness/runNode';
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
		items: [
			{
				json: {},
				binary: {
					data: {
						data: video.bytes.toString('base64'),
						mimeType: 'video/mp4',
						fileName: 'good.mp4',
					},
				},
			},
		],
		parameters: createParameters({ videoSource: 'binary', videoBinaryProperty: 'data' }),
	});
	expect(error?.message).toBe(`Item 0: Input Binary Field (video): ${message}`);
	expect(error?.description).toContain('public URL');
	expect(emulator.requests).toHaveLength(0);
});
