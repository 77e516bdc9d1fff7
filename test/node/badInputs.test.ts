import type { INodeParameters } from 'n8n-workflow';

import { credentialType, resolveCredentialExpression } from '../../dev/harness/credentialsHelper';
import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

/**
 * Inputs that used to get through: a Task ID that is an object or a path, a prompt of
 * invisible spaces, an option value outside its list, a risky base URL. Each is an error that
 * names field and item, before any request.
 */
const emulator = useEmulator();

const LONG_ID = 'x'.repeat(20_000);

describe('Task ID of Get Task and Cancel Task', () => {
	const cases: Array<[string, unknown, string]> = [
		['an object', '={{ { id: "a" } }}', 'Item 0: Task ID must be text, got an object'],
		['an array', '={{ ["a", "b"] }}', 'Item 0: Task ID must be text, got an array'],
		['a path', '../../../../tmp/evil', 'Item 0: Task ID "../../../../tmp/evil" is not a task id'],
		['two dots', '..', 'Item 0: Task ID ".." is not a task id'],
		['one dot', '.', 'Item 0: Task ID "." is not a task id'],
		['a slash', 'a/b', 'Item 0: Task ID "a/b" is not a task id'],
		['a space inside', 'a b', 'Item 0: Task ID "a b" is not a task id'],
		['20,000 characters', LONG_ID, `Item 0: Task ID "${'x'.repeat(40)}…" is not a task id`],
	];

	describe.each(['getTask', 'cancelTask'])('%s', (operation) => {
		test.each(cases)('%s is refused before any request', async (_, taskId, message) => {
			const { error } = await runNode({
				credentials: credentialsFor(emulator, 'native'),
				parameters: { operation, taskId } as INodeParameters,
			});
			expect(error?.message).toContain(message);
			expect(error?.message.length).toBeLessThan(300);
			expect(emulator.requests).toHaveLength(0);
		});
	});

	test('the message says which characters a task id may hold', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'getTask', taskId: '..' },
		});
		expect(error?.message).toBe(
			'Item 0: Task ID ".." is not a task id (1 to 128 letters, digits, "-", "_", "." or ":", and not "." or "..")',
		);
	});

	test('with continue-on-fail every item gives one output, the bad one its error', async () => {
		const { items } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'cancelTask', taskId: '={{ $json.id }}' },
			items: [{ json: { id: '.' } }, { json: { id: { nested: 1 } } }],
			continueOnFail: true,
		});
		expect(items.map((item) => item.json.error)).toEqual([
			'Item 0: Task ID "." is not a task id (1 to 128 letters, digits, "-", "_", "." or ":", and not "." or "..")',
			'Item 1: Task ID must be text, got an object',
		]);
		expect(emulator.requests).toHaveLength(0);
	});

	test('a number is taken as its digits', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: { operation: 'getTask', taskId: '={{ 1234567 }}' },
		});
		expect(error).toBeUndefined();
		expect(emulator.requestsOf('query')[0].path).toBe('/api/v1/tasks/1234567');
	});
});

describe('create inputs', () => {
	const empty =
		'Item 0: Prompt is empty: describe the edit, e.g. "replace the background with a beach at sunset"';
	const cases: Array<[string, INodeParameters, string]> = [
		['a prompt of zero-width spaces', { prompt: '\u200B\u200C\u200D' }, empty],
		['a prompt of other Unicode spaces', { prompt: '\u00A0\u3000\u2060\uFEFF\u2003\n' }, empty],
		[
			'a prompt that is an array',
			{ prompt: '={{ ["a"] }}' },
			'Item 0: Prompt must be text, got an array',
		],
		[
			'a video URL that is an object',
			{ videoUrl: '={{ { a: 1 } }}' },
			'Item 0: Video URL must be text, got an object',
		],
		[
			'a video source outside its list',
			{ videoSource: '={{ "file" }}' },
			'Item 0: Video Source must be url or binary, not "file"',
		],
		[
			'a reference image source outside its list',
			{ referenceImages: { images: [{ source: 'ftp', url: 'https://a.example/1.png' }] } },
			'Item 0: Reference Image 1 Source must be url or binary, not "ftp"',
		],
		[
			'a reference image URL that is a number',
			{ referenceImages: { images: [{ source: 'url', url: '={{ 5 }}' }] } },
			'Item 0: Reference Image 1 URL must be text, got a number',
		],
		[
			'an input binary field that is an object',
			{ videoSource: 'binary', videoBinaryProperty: '={{ { a: 1 } }}' },
			'Item 0: Input Binary Field (video) must be text, got an object',
		],
		[
			'a model that is a number',
			{ options: { model: '={{ 5 }}' } },
			'Item 0: Options → Model must be text, got a number',
		],
		[
			'a resolution in lower case',
			{ options: { resolution: '={{ "720p" }}' } },
			'Item 0: Options → Resolution must be 720P or 1080P, not "720p"',
		],
		[
			'an audio setting that is an object',
			{ options: { audioSetting: '={{ { a: 1 } }}' } },
			'Item 0: Options → Audio must be auto or origin, not {"a":1}',
		],
	];

	test.each(cases)('%s', async (_, parameters, message) => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: createParameters(parameters),
		});
		expect(error?.message).toBe(message);
		expect(emulator.requests).toHaveLength(0);
	});

	test('an image source outside its list', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: {
				operation: 'createImageToVideoTask',
				imageSource: '={{ "disk" }}',
				imageUrl: 'https://a.example/1.png',
			},
		});
		expect(error?.message).toBe('Item 0: Image Source must be url or binary, not "disk"');
		expect(emulator.requests).toHaveLength(0);
	});

	test('an aspect ratio outside its list', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: {
				operation: 'createTextToVideoTask',
				prompt: 'a fox',
				options: { ratio: '={{ "2:1" }}' },
			},
		});
		expect(error?.message).toBe(
			'Item 0: Options → Aspect Ratio must be 16:9, 9:16, 1:1, 4:3, 3:4, 4:5, 5:4, 9:21 or 21:9, not "2:1"',
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test('an optional prompt of invisible spaces is left out of the body', async () => {
		const { error } = await runNode({
			credentials: credentialsFor(emulator, 'native'),
			parameters: {
				operation: 'createImageToVideoTask',
				imageUrl: 'https://a.example/1.png',
				prompt: '\u200B\u00A0',
				waitForCompletion: false,
			},
		});
		expect(error).toBeUndefined();
		const [submit] = emulator.requestsOf('submit');
		expect((submit.json as { input: object }).input).toEqual({
			media: [{ type: 'first_frame', url: 'https://a.example/1.png' }],
		});
	});
});

test('a List Tasks status outside its list is refused before any request', async () => {
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: { operation: 'listTasks', status: '={{ "DONE" }}' },
	});
	expect(error?.message).toBe(
		'Item 0: Status must be empty (any) or one of PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, UNKNOWN, not "DONE"',
	);
	expect(emulator.requests).toHaveLength(0);
});

describe('a custom base URL that would change where or how the key goes', () => {
	const cases: Array<[string, (origin: string) => string, string]> = [
		[
			'a user name and password',
			(origin) => origin.replace('http://', 'http://user:secret@') + '/api/v1',
			'may not hold a user name or password',
		],
		['a query', (origin) => `${origin}/api/v1?region=cn`, 'may not hold a query (?…)'],
		['a fragment', (origin) => `${origin}/api/v1#top`, 'may not hold a fragment (#…)'],
	];

	test.each(cases)('%s is refused when the credential is used', async (_, url, problem) => {
		const baseUrl = url(emulator.origin);
		const { error } = await runNode({
			credentials: { ...credentialsFor(emulator, 'native'), baseUrl },
			parameters: createParameters(),
		});
		expect(error?.message).toBe(`The HappyHorse credential's Base URL ${problem}`);
		expect(error?.message).not.toContain('secret');
		expect(emulator.requests).toHaveLength(0);
	});

	test.each(cases)('%s fails the credential test, without asking that host', (_, url) => {
		const credentials = {
			apiKey: 'k',
			endpoint: 'custom',
			apiFormat: 'native',
			baseUrl: url('http://127.0.0.1:8080'),
		};
		const baseURL = resolveCredentialExpression(
			credentialType.test!.request.baseURL as string,
			credentials,
		);
		expect(baseURL).toBe(
			'https://the-base-url-may-not-hold-a-user-name-a-query-or-a-fragment.invalid',
		);
	});
});
