import type { INodeParameters } from 'n8n-workflow';

import { IMAGE_URL, createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

/** Each create operation with valid fields, not waiting, plus the given options. */
const OPERATIONS: Record<string, (options: INodeParameters) => INodeParameters> = {
	createEditTask: (options) => createParameters({ waitForCompletion: false, options }),
	createTextToVideoTask: (options) => ({
		operation: 'createTextToVideoTask',
		prompt: 'A red fox running through fresh snow at dawn',
		waitForCompletion: false,
		options,
	}),
	createImageToVideoTask: (options) => ({
		operation: 'createImageToVideoTask',
		imageSource: 'url',
		imageUrl: IMAGE_URL,
		waitForCompletion: false,
		options,
	}),
};

/**
 * A parameter of the API that the operation's kind does not take (schemas/taskKinds.ts), set
 * through Additional Parameters: refused before any request, never sent to be paid for.
 */
const refused = [
	{
		operation: 'createImageToVideoTask',
		additional: '{"ratio": "9:16"}',
		message:
			'Item 0: Options → Additional Parameters sets "ratio", which image-to-video tasks do not take: remove it',
	},
	{
		operation: 'createTextToVideoTask',
		additional: '{"audio_setting": "origin"}',
		message:
			'Item 0: Options → Additional Parameters sets "audio_setting", which text-to-video tasks do not take: remove it',
	},
	{
		operation: 'createEditTask',
		additional: '={{ JSON.stringify({ duration: 8 }) }}',
		message:
			'Item 0: Options → Additional Parameters sets "duration", which edit tasks do not take: remove it',
	},
];

describe.each(refused)('$operation with $additional', ({ operation, additional, message }) => {
	test('fails naming the option and the item, before any request', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: OPERATIONS[operation]({ additionalParameters: additional }),
		});
		expect(error?.message).toBe(message);
		expect(emulator.requests).toHaveLength(0);
	});
});

test('with continue-on-fail only the item that carries it fails', async () => {
	const { items, error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }, { json: { extra: { ratio: '1:1' } } }, { json: {} }],
		parameters: OPERATIONS.createImageToVideoTask({
			additionalParameters: '={{ JSON.stringify($json.extra ?? {}) }}',
		}),
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	expect(emulator.requestsOf('submit')).toHaveLength(2);
	expect(items.map((item) => item.json.error ?? null)).toEqual([
		null,
		'Item 1: Options → Additional Parameters sets "ratio", which image-to-video tasks do not take: remove it',
		null,
	]);
	expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
});

test('an option the operation does not show never reaches the API', async () => {
	// A workflow saved with Aspect Ratio on another operation: n8n itself leaves out options the
	// operation hides (n8n-workflow's Workflow, through NodeHelpers.getNodeParameters) before
	// the node runs, in 2.41.1 as in 1.123.81; the node refuses any that would still arrive.
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: OPERATIONS.createImageToVideoTask({ ratio: '9:16', audioSetting: 'origin' }),
	});
	expect(error).toBeUndefined();
	const [submit] = emulator.requestsOf('submit');
	expect((submit.json as { parameters: object }).parameters).toEqual({});
});

test('options that are no parameter of the API pass on every kind, known or new', async () => {
	// Waiting and downloading options, switches, and an option this node does not know (yet).
	const others = {
		pollInterval: 5,
		timeout: 60,
		binaryPropertyName: 'video',
		maxVideoSizeMb: 10,
		checkMedia: false,
		additionalParameters: '{}',
		someFutureOption: true,
	};
	for (const build of Object.values(OPERATIONS)) {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: build(others),
		});
		expect(error).toBeUndefined();
	}
	const bodies = emulator
		.requestsOf('submit')
		.map((submit) => submit.json as { parameters: object });
	expect(bodies.map((body) => body.parameters)).toEqual([{}, {}, {}]);
});

test('an option the kind takes is still sent', async () => {
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: OPERATIONS.createTextToVideoTask({ ratio: '1:1', duration: 3 }),
	});
	expect(error).toBeUndefined();
	const [submit] = emulator.requestsOf('submit');
	expect((submit.json as { parameters: object }).parameters).toEqual({ ratio: '1:1', duration: 3 });
});
