import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../dev/harness/runNode';
import { createParameters, credentialsFor, useEmulator } from '../fixtures';

/**
 * Resolutions and aspect ratios as Alibaba serves them now (docs/API.md, "Settings"): what every
 * source refuses is refused before paying; what the sources disagree on is sent, and the API's
 * 400 is made clear. The emulator follows one reading: 480P for the 1.1 models only, the nine
 * ratios for every DashScope model, Anyfast's own five.
 */

const emulator = useEmulator();
const submitted = () => emulator.requestsOf('submit').map((request) => request.json);

const NINE_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '4:5', '5:4', '9:21', '21:9'];
const PROMPT = 'A red fox running through fresh snow at dawn';
const REFERENCES_PROMPT = 'The woman in the red dress from [Image 1] walks the dog from [Image 2]';
const IMAGES = ['https://media.example.com/woman.png', 'https://media.example.com/dog.png'];

const textToVideo = (options: INodeParameters): INodeParameters => ({
	operation: 'createTextToVideoTask',
	prompt: PROMPT,
	waitForCompletion: false,
	options,
});

const referenceToVideo = (options: INodeParameters): INodeParameters => ({
	operation: 'createReferenceToVideoTask',
	prompt: REFERENCES_PROMPT,
	referenceImages: { images: IMAGES.map((url) => ({ source: 'url', url })) },
	waitForCompletion: false,
	options,
});

const referenceMedia = IMAGES.map((url) => ({ type: 'reference_image', url }));

describe('the exact body of each setting (DashScope)', () => {
	test.each(['happyhorse-1.1-t2v', 'happyhorse-1.1-i2v', 'happyhorse-1.1-r2v'])(
		'480P on %s is sent, taken and reported as SR 480',
		async (model) => {
			const parameters: INodeParameters = model.endsWith('i2v')
				? {
						operation: 'createImageToVideoTask',
						imageSource: 'url',
						imageUrl: IMAGES[0],
						waitForCompletion: true,
						downloadVideo: false,
						options: { model, resolution: '480P', pollInterval: 0.01 },
					}
				: {
						...(model.endsWith('t2v') ? textToVideo({}) : referenceToVideo({})),
						waitForCompletion: true,
						downloadVideo: false,
						options: { model, resolution: '480P', pollInterval: 0.01 },
					};
			const { items, error } = await runNode({
				credentials: credentialsFor(emulator, 'native'),
				parameters,
			});
			expect(error).toBeUndefined();
			const input = model.endsWith('t2v')
				? { prompt: PROMPT }
				: model.endsWith('i2v')
					? { media: [{ type: 'first_frame', url: IMAGES[0] }] }
					: { prompt: REFERENCES_PROMPT, media: referenceMedia };
			expect(submitted()).toEqual([{ model, input, parameters: { resolution: '480P' } }]);
			expect(items[0].json).toMatchObject({ status: 'SUCCEEDED', usage: { SR: 480 } });
		},
	);

	test.each(NINE_RATIOS)(
		'Aspect Ratio %s is sent as it is, text and references to video',
		async (ratio) => {
			const text = await runNode({
				credentials: credentialsFor(emulator, 'native'),
				parameters: textToVideo({ ratio }),
			});
			const references = await runNode({
				credentials: credentialsFor(emulator, 'native'),
				parameters: referenceToVideo({ ratio, model: 'happyhorse-1.1-r2v' }),
			});
			expect([text.error, references.error]).toEqual([undefined, undefined]);
			expect(submitted()).toEqual([
				{ model: 'happyhorse-1.0-t2v', input: { prompt: PROMPT }, parameters: { ratio } },
				{
					model: 'happyhorse-1.1-r2v',
					input: { prompt: REFERENCES_PROMPT, media: referenceMedia },
					parameters: { ratio },
				},
			]);
			expect(emulator.createdTaskIds).toHaveLength(2);
		},
	);
});

describe('what every source refuses, refused before paying', () => {
	test('video edit with 480P: an error that names the option, and no request', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: createParameters({ options: { resolution: '480P' } }),
		});
		expect(error?.message).toBe(
			'Item 0: Options → Resolution must be 720P or 1080P, not "480P": no source lists 480P for an edit task',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('what the sources disagree on: sent, and the API answer made clear', () => {
	test('480P on a 1.0 model: the 400 names the option and says it was not billed', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: textToVideo({ resolution: '480P' }),
		});
		expect(submitted()).toEqual([
			{
				model: 'happyhorse-1.0-t2v',
				input: { prompt: PROMPT },
				parameters: { resolution: '480P' },
			},
		]);
		expect(emulator.createdTaskIds).toHaveLength(0);
		expect(error?.message).toBe(
			'Creating the text-to-video task failed (HTTP 400): InvalidParameter: parameters.resolution must be one of 720P, 1080P, got "480P" for happyhorse-1.0-t2v (Options → Resolution 480P; not billed)',
		);
		expect(error?.description).toMatch(
			/^Options → Resolution 480P is listed for the 1\.1 models in Alibaba's price lists, .* happyhorse-1\.0-t2v may not take it here: the API refused the submit, and a refused submit is not billed\. Choose another value, or a model it is listed for \(Options → Model\)\. Request ID: /,
		);
	});

	test('a newer ratio on Anyfast, which lists five: sent, and its 400 names the option', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'anyfast'),
			parameters: referenceToVideo({ ratio: '21:9' }),
		});
		expect(submitted()).toEqual([
			{
				model: 'happyhorse-1.0-r2v',
				prompt: REFERENCES_PROMPT,
				images: IMAGES,
				parameters: { ratio: '21:9' },
			},
		]);
		expect(error?.message).toMatch(
			/^Creating the reference-to-video task failed \(HTTP 400\): .*\(Options → Aspect Ratio 21:9; not billed\)$/,
		);
		expect(error?.description).toMatch(
			/^Options → Aspect Ratio 21:9 is listed for the 1\.1 models/,
		);
	});

	test('a 400 with a cause of its own is not put on the setting', async () => {
		emulator.failNext('submit', {
			status: 400,
			body: {
				code: 'DataInspectionFailed',
				message: 'Input data may contain inappropriate content.',
			},
		});
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: textToVideo({ resolution: '480P' }),
		});
		expect(error?.message).toBe(
			'Creating the text-to-video task failed (HTTP 400): DataInspectionFailed: Input data may contain inappropriate content.',
		);
		expect(error?.description).not.toContain('Options → Resolution');
	});

	test('a 400 about something else with a well-listed setting is left as the API said it', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: textToVideo({
				resolution: '720P',
				additionalParameters: '{"prompt_extend": true}',
			}),
		});
		expect(error?.message).toBe(
			'Creating the text-to-video task failed (HTTP 400): InvalidParameter: parameters.prompt_extend is not supported by happyhorse-1.0-t2v',
		);
	});
});
