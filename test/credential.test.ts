import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import type { Family } from '../dev/emulator';
import { FAMILIES, credentialsFor, useEmulator } from './fixtures';
import {
	TestCredentialsHelper,
	credentialType,
	resolveCredentialExpression,
} from '../dev/harness/credentialsHelper';

const emulator = useEmulator();

/** The credential's own test request, resolved for these credentials as n8n resolves it. */
function testRequestFor(credentials: ICredentialDataDecryptedObject) {
	const request = credentialType.test!.request;
	return {
		method: request.method ?? 'GET',
		baseURL: resolveCredentialExpression(request.baseURL as string, credentials),
		url: resolveCredentialExpression(request.url as string, credentials),
	};
}

/** What n8n's credential test does: the test request with the credential's authentication. */
async function runCredentialTest(credentials: ICredentialDataDecryptedObject) {
	const { method, baseURL, url } = testRequestFor(credentials);
	const authenticated = await new TestCredentialsHelper(credentials).authenticate(
		credentials,
		'happyHorseApi',
		{ url, headers: {} } as IHttpRequestOptions,
	);
	const response = await fetch(`${baseURL}${url}`, {
		method,
		headers: authenticated.headers as Record<string, string>,
	});
	return response.status >= 200 && response.status < 300 ? 'OK' : 'Error';
}

test.each([
	['dashscopeBeijing', 'https://dashscope.aliyuncs.com/api/v1', '/tasks/n8n-credential-test'],
	[
		'dashscopeSingapore',
		'https://dashscope-intl.aliyuncs.com/api/v1',
		'/tasks/n8n-credential-test',
	],
	['dashscopeUs', 'https://dashscope-us.aliyuncs.com/api/v1', '/tasks/n8n-credential-test'],
	['infiflow', 'https://llm.infiflow.cn/dashscope/api/v1', '/tasks/n8n-credential-test'],
	['anyfast', 'https://www.anyfast.com.cn', '/v1/models'],
])('the %s endpoint is tested at %s%s', (endpoint, baseURL, url) => {
	expect(testRequestFor({ apiKey: 'k', endpoint })).toEqual({ method: 'GET', baseURL, url });
});

test.each([
	[
		'native',
		'http://127.0.0.1:8080/api/v1/',
		'http://127.0.0.1:8080/api/v1',
		'/tasks/n8n-credential-test',
	],
	['anyfast', 'http://127.0.0.1:8080//', 'http://127.0.0.1:8080', '/v1/models'],
])(
	'a custom %s base URL is used as given, trailing slash tolerated',
	(apiFormat, baseUrl, baseURL, url) => {
		expect(testRequestFor({ apiKey: 'k', endpoint: 'custom', baseUrl, apiFormat })).toEqual({
			method: 'GET',
			baseURL,
			url,
		});
	},
);

test.each([
	['ap-southeast-1', 'ws-756pfhanyfvqhdkw', 'https://ws-756pfhanyfvqhdkw.ap-southeast-1'],
	['eu-central-1', ' llm-k4l6h7dcie932cqo ', 'https://llm-k4l6h7dcie932cqo.eu-central-1'],
	['cn-beijing', 'ws-756pfhanyfvqhdkw', 'https://ws-756pfhanyfvqhdkw.cn-beijing'],
	[undefined, 'ws-756pfhanyfvqhdkw', 'https://ws-756pfhanyfvqhdkw.ap-southeast-1'],
])(
	'a Model Studio workspace in %s is tested on its own domain',
	(workspaceRegion, workspaceId, host) => {
		// A hidden API Format left from an earlier Custom choice does not change the family.
		const credentials = { apiKey: 'k', endpoint: 'modelStudioWorkspace', apiFormat: 'anyfast' };
		const region: ICredentialDataDecryptedObject = workspaceRegion ? { workspaceRegion } : {};
		expect(testRequestFor({ ...credentials, workspaceId, ...region })).toEqual({
			method: 'GET',
			baseURL: `${host}.maas.aliyuncs.com/api/v1`,
			url: '/tasks/n8n-credential-test',
		});
	},
);

test.each(['', 'ws_756', 'ws-756.evil.example', '-ws', 'a'.repeat(64)])(
	'a workspace id that is not one host name label (%p) is tested at a .invalid host that says so',
	(workspaceId) => {
		expect(
			testRequestFor({ apiKey: 'k', endpoint: 'modelStudioWorkspace', workspaceId }).baseURL,
		).toBe('https://the-workspace-id-is-not-one-host-name-label.invalid');
	},
);

test.each(['eu-central1', 'cn-hongkong'])(
	'a workspace region the node does not know (%p) is tested at a .invalid host that says so',
	(workspaceRegion) => {
		const credentials = { apiKey: 'k', endpoint: 'modelStudioWorkspace', workspaceId: 'ws-1' };
		expect(testRequestFor({ ...credentials, workspaceRegion }).baseURL).toBe(
			'https://the-workspace-region-is-not-one-the-node-knows.invalid',
		);
	},
);

describe.each(FAMILIES)('credential test against a %s server', (family: Family) => {
	test('a good key passes', async () => {
		expect(await runCredentialTest(credentialsFor(emulator, family))).toBe('OK');
		const [request] = emulator.requests;
		expect(request.kind).toBe(family === 'native' ? 'query' : 'models');
		expect(request.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
	});

	test('a bad key fails', async () => {
		expect(await runCredentialTest(credentialsFor(emulator, family, 'sk-bad'))).toBe('Error');
		expect(emulator.requests).toHaveLength(1);
	});
});

test('the API key field is a password field, and the fields are the contract names', () => {
	const fields = Object.fromEntries(credentialType.properties.map((field) => [field.name, field]));
	expect(Object.keys(fields)).toEqual([
		'apiKey',
		'endpoint',
		'workspaceId',
		'workspaceRegion',
		'baseUrl',
		'apiFormat',
		'submitsPerSecond',
		'queriesPerSecond',
		'eventToken',
		'ownPrices',
		'price480P',
		'price720P',
		'price1080P',
		'priceCurrency',
	]);
	expect([fields.submitsPerSecond.default, fields.queriesPerSecond.default]).toEqual([5, 20]);
	expect(fields.apiKey.typeOptions?.password).toBe(true);
	expect(fields.endpoint.default).toBe('dashscopeBeijing');
	expect(
		(fields.endpoint.options as Array<{ value: string }>).map((option) => option.value),
	).toEqual([
		'dashscopeBeijing',
		'dashscopeSingapore',
		'dashscopeUs',
		'infiflow',
		'anyfast',
		'modelStudioWorkspace',
		'custom',
	]);
	const workspaceOnly = { show: { endpoint: ['modelStudioWorkspace'] } };
	expect([fields.workspaceId.displayOptions, fields.workspaceRegion.displayOptions]).toEqual([
		workspaceOnly,
		workspaceOnly,
	]);
	expect(fields.workspaceRegion.default).toBe('ap-southeast-1');
	expect(
		(fields.workspaceRegion.options as Array<{ value: string }>).map((option) => option.value),
	).toEqual(['ap-southeast-1', 'eu-central-1', 'cn-beijing']);
	expect(fields.baseUrl.displayOptions).toEqual({ show: { endpoint: ['custom'] } });
	expect(
		(fields.apiFormat.options as Array<{ value: string }>).map((option) => option.value),
	).toEqual(['native', 'anyfast']);
});

test("the HappyHorse Trigger's Event Token is an optional password field", () => {
	const field = credentialType.properties.find((property) => property.name === 'eventToken');
	expect(field).toMatchObject({ type: 'string', default: '', typeOptions: { password: true } });
	expect(field?.required).toBeUndefined();
});
