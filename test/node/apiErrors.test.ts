// First: this file reads n8n's own log, where the API key must not appear either.
import { N8N_LOG_FILE } from '../../dev/setup/verboseLogs';

import { readFileSync } from 'node:fs';

import type { Family, ScriptedResponse } from '../../dev/emulator';
import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';

const emulator = useEmulator();

interface ErrorCase {
	family: Family;
	response: ScriptedResponse;
	message: string;
	httpCode: string;
	advice: string;
	requestId?: string;
}

const errorCases: ErrorCase[] = [
	{
		family: 'native',
		response: {
			status: 401,
			body: { code: 'InvalidApiKey', message: 'No API-key provided.', request_id: 'req-401' },
		},
		message: 'Creating the edit task failed (HTTP 401): InvalidApiKey: No API-key provided.',
		httpCode: '401',
		advice: "the credential's endpoint is the key's own region",
		requestId: 'req-401',
	},
	{
		family: 'native',
		response: {
			status: 429,
			body: {
				code: 'Throttling.RateQuota',
				message: 'Requests rate limit exceeded',
				request_id: 'r',
			},
		},
		message:
			'Creating the edit task failed (HTTP 429): Throttling.RateQuota: Requests rate limit exceeded',
		httpCode: '429',
		advice: 'rate limit',
	},
	{
		family: 'native',
		response: {
			status: 400,
			body: {
				code: 'Arrearage',
				message: 'Access denied, please make sure your account is in good standing.',
			},
		},
		message:
			'Creating the edit task failed (HTTP 400): Arrearage: Access denied, please make sure your account is in good standing.',
		httpCode: '400',
		advice: 'overdue bill',
	},
	{
		family: 'native',
		response: {
			status: 400,
			body: {
				code: 'DataInspectionFailed',
				message: 'Input data may contain inappropriate content.',
			},
		},
		message:
			'Creating the edit task failed (HTTP 400): DataInspectionFailed: Input data may contain inappropriate content.',
		httpCode: '400',
		advice: 'content moderation',
	},
	{
		family: 'native',
		response: { status: 400, body: { code: 'InvalidURL', message: 'The url is invalid.' } },
		message: 'Creating the edit task failed (HTTP 400): InvalidURL: The url is invalid.',
		httpCode: '400',
		advice: 'must be public',
	},
	{
		family: 'native',
		response: {
			status: 415,
			body: {
				code: 'BadRequest.InputDownloadFailed',
				message: 'Failed to download the input file',
			},
		},
		message:
			'Creating the edit task failed (HTTP 415): BadRequest.InputDownloadFailed: Failed to download the input file',
		httpCode: '415',
		advice: 'must be public',
	},
	{
		family: 'anyfast',
		response: {
			status: 401,
			body: { error: { message: 'Invalid token', type: 'new_api_error', code: 'invalid_api_key' } },
		},
		message: 'Creating the edit task failed (HTTP 401): invalid_api_key: Invalid token',
		httpCode: '401',
		advice: 'Check the API key',
	},
	{
		family: 'anyfast',
		response: {
			status: 429,
			body: {
				error: { message: 'rate limited', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
			},
		},
		message: 'Creating the edit task failed (HTTP 429): rate_limit_exceeded: rate limited',
		httpCode: '429',
		advice: 'rate limit',
	},
	{
		family: 'anyfast',
		response: {
			status: 400,
			body: {
				error: {
					message: 'media must hold 2 items',
					type: 'invalid_request_error',
					code: 'invalid_request',
				},
			},
		},
		message: 'Creating the edit task failed (HTTP 400): invalid_request: media must hold 2 items',
		httpCode: '400',
		advice: '',
	},
];

describe.each(errorCases)('$family answers $response.status', (errorCase) => {
	test('becomes a NodeApiError with status, code, message, request id and advice', async () => {
		emulator.failNext('submit', errorCase.response);
		const { error, items } = await runNode({
			credentials: credentialsFor(emulator, errorCase.family),
			// A 429 is retried within the timeout: a short one makes the first answer final.
			parameters: createParameters({ options: { timeout: 0.3 } }),
		});
		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe(errorCase.message);
		expect(error?.httpCode).toBe(errorCase.httpCode);
		expect(error?.description ?? '').toContain(errorCase.advice);
		if (errorCase.requestId) {
			expect(error?.description).toContain(`Request ID: ${errorCase.requestId}`);
			expect(error?.context?.requestId).toBe(errorCase.requestId);
		}
		// A refused submit created nothing; nothing else was tried.
		expect(emulator.requests).toHaveLength(1);
	});
});

test('a real 401 from the emulator for a wrong key fails the node and never shows the key', async () => {
	const secret = 'sk-wrong-key-0123456789abcdef';
	try {
		const { error, run } = await runNode({
			credentials: credentialsFor(emulator, 'native', secret),
			parameters: createParameters(),
		});
		expect(error?.message).toBe(
			'Creating the edit task failed (HTTP 401): InvalidApiKey: Invalid API-key provided.',
		);
		expect(emulator.requestsOf('submit')[0].headers.authorization).toBe(`Bearer ${secret}`);
		expect(JSON.stringify(run)).not.toContain(secret);
		expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(secret);
	} finally {
		// winston writes its file asynchronously.
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
	const logged = readFileSync(N8N_LOG_FILE, 'utf8');
	expect(logged).toContain('InvalidApiKey');
	expect(logged).not.toContain(secret);
});

test('an HTML page from a proxy is a clear error that quotes what came back', async () => {
	emulator.failNext('submit', {
		status: 200,
		body: '<html><body><h1>Welcome to nginx!</h1></body></html>',
	});
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
	});
	expect(error?.message).toBe('The HappyHorse API gave an unexpected answer to the submit');
	expect(error?.description).toContain(
		'HTTP 200 with "<html><body><h1>Welcome to nginx!</h1></body></html>"',
	);
});

test('a submit answer without task_id is a clear error, never undefined in an output', async () => {
	emulator.failNext('submit', {
		status: 200,
		body: { output: { task_status: 'PENDING' }, request_id: 'x' },
	});
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
	});
	expect(error?.message).toBe('The HappyHorse API gave an unexpected answer to the submit');
	expect(error?.description).toContain('output.task_id: Required');
});

test('502 pages until the timeout fail the item, naming the task', async () => {
	for (let i = 0; i < 20; i++) emulator.failNextWith('query', { type: 'html502' });
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters({ options: { timeout: 1.5 } }),
	});
	const [taskId] = emulator.createdTaskIds;
	expect(error?.message).toContain(`Reading task ${taskId} failed (HTTP 502)`);
	expect(error?.description).toContain('Try again in a few minutes');
	expect(emulator.createdTaskIds).toHaveLength(1);
});

test('malformed status bodies until the timeout name the task and quote the body', async () => {
	for (let i = 0; i < 20; i++) emulator.failNextWith('query', { type: 'malformed' });
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'anyfast'),
		parameters: createParameters({ options: { timeout: 1.5 } }),
	});
	const [taskId] = emulator.createdTaskIds;
	expect(error?.message).toBe(
		`The HappyHorse API gave an unexpected answer to the status query of task ${taskId}`,
	);
	expect(error?.description).toContain(
		'HTTP 200 with "{"output": {"task_status":" (not valid JSON)',
	);
});

test('an unreachable endpoint is a clear error without the key', async () => {
	const { error } = await runNode({
		parameters: createParameters({ options: { timeout: 0.3 } }),
		credentials: {
			apiKey: 'sk-secret-unreachable',
			endpoint: 'custom',
			baseUrl: 'http://127.0.0.1:9/api/v1',
			apiFormat: 'native',
		},
	});
	expect(error?.message).toBe(
		'Could not reach the HappyHorse API at 127.0.0.1:9: the connection was refused',
	);
	expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(
		'sk-secret-unreachable',
	);
});

test('a failed download names the task and keeps the key away from the video host', async () => {
	emulator.failNext('download', { status: 403, body: '<Error><Code>AccessDenied</Code></Error>' });
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
	});
	const [taskId] = emulator.createdTaskIds;
	expect(error?.message).toBe(`Downloading the video of task ${taskId} failed (HTTP 403)`);
	expect(error?.description).toContain('valid for 24 hours');
	expect(emulator.requestsOf('download')[0].headers.authorization).toBeUndefined();
});
