/**
 * Every endpoint variant through n8n's engine at the API's own host name: the node's real code
 * resolves the real name (the hosts block maps it to 127.0.0.1), checks the server's certificate
 * for that name against the throwaway CA it was started to trust (NODE_EXTRA_CA_CERTS, this
 * process only), and sends its request; the TLS front records exactly what arrived and hands it
 * to the emulator. Nothing in the node is pointed anywhere: a wrong host, path or header fails.
 * Started by test/vendorHosts.test.ts, which sets all of that up.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { HappyHorseEmulator } from '../../dev/emulator';
import { binaryOf } from '../../dev/harness/binaryData';
import {
	TestCredentialsHelper,
	credentialType,
	resolveCredentialExpression,
} from '../../dev/harness/credentialsHelper';
import { runNode } from '../../dev/harness/runNode';
import type { VendorFront } from '../../dev/vendorHosts';
import { serverCredentials, startVendorFront } from '../../dev/vendorHosts';
import { createParameters } from '../fixtures';
import { fixture } from '../node/binaryRoundTrip';
import { VARIANTS, VENDOR_TLS_ENV, type Variant } from './variants';

const tls = process.env[VENDOR_TLS_ENV];
if (!tls || !process.env.NODE_EXTRA_CA_CERTS) {
	throw new Error(
		`Run this suite through test/vendorHosts.test.ts (npm test): it needs ${VENDOR_TLS_ENV}, NODE_EXTRA_CA_CERTS and the hosts block`,
	);
}

const emulator = new HappyHorseEmulator();
let front: VendorFront;

beforeAll(async () => {
	await emulator.start();
	front = await startVendorFront({
		...serverCredentials(JSON.parse(tls)),
		routes: Object.fromEntries(
			VARIANTS.map((variant) => [
				variant.host,
				{ target: emulator.origin, stripPrefix: variant.frontStrip },
			]),
		),
	});
});

afterAll(async () => {
	await front?.stop();
	await emulator.stop();
});

beforeEach(() => {
	emulator.reset();
	front.requests.length = 0;
});

function credentialsOf(variant: Variant, apiKey = emulator.apiKey): ICredentialDataDecryptedObject {
	return { apiKey, ...variant.credentials };
}

/** Each request that reached the front: its exact URL, the TLS name asked for, its headers. */
function seen() {
	return front.requests.map((request) => ({
		servername: request.servername,
		url: `${request.method} https://${request.host}${request.path}`,
		headers: request.headers,
	}));
}

/** Every header n8n's HTTP helper sends for this variant, plus the request's own. */
function headers(variant: Variant, own: Record<string, unknown> = {}, apiKey = emulator.apiKey) {
	return {
		accept: 'application/json',
		authorization: `Bearer ${apiKey}`,
		'user-agent': 'n8n',
		'accept-encoding': 'gzip, compress, deflate, br',
		host: variant.host,
		connection: 'close',
		...own,
	};
}

/** The headers of a submit: a JSON body, and on DashScope's API the async switch. */
function submitHeaders(variant: Variant, own: Record<string, unknown> = {}) {
	return headers(variant, {
		'content-type': 'application/json',
		'content-length': expect.stringMatching(/^\d+$/),
		...(variant.family === 'native' ? { 'x-dashscope-async': 'enable' } : {}),
		...own,
	});
}

const submitPath = (variant: Variant) =>
	variant.family === 'native'
		? `${variant.prefix}/services/aigc/video-generation/video-synthesis`
		: '/v1/video/generations';
const queryPath = (variant: Variant, taskId: string) =>
	variant.family === 'native'
		? `${variant.prefix}/tasks/${taskId}`
		: `/v1/video/generations/${taskId}`;

const cases = (which: (variant: Variant) => boolean = () => true) =>
	VARIANTS.filter(which).map((variant) => [variant.label, variant] as const);

test.each(cases())('%s: submit, then Get Task', async (_, variant) => {
	const created = await runNode({
		credentials: credentialsOf(variant),
		parameters: createParameters({ waitForCompletion: false }),
	});
	expect(created.error).toBeUndefined();
	const taskId = String(created.items[0].json.taskId);
	const got = await runNode({
		credentials: credentialsOf(variant),
		parameters: { operation: 'getTask', taskId },
	});
	expect(got.error).toBeUndefined();
	expect(got.items[0].json.taskId).toBe(taskId);
	expect(seen()).toEqual([
		{
			servername: variant.host,
			url: `POST https://${variant.host}${submitPath(variant)}`,
			headers: submitHeaders(variant),
		},
		{
			servername: variant.host,
			url: `GET https://${variant.host}${queryPath(variant, taskId)}`,
			headers: headers(variant),
		},
	]);
});

test.each(cases((variant) => variant.uploads))(
	'%s: a file goes up through the upload policy, and the submit resolves oss://',
	async (_, variant) => {
		const video = fixture('good.mp4');
		const { error } = await runNode({
			credentials: credentialsOf(variant),
			items: [{ json: {}, binary: { data: await binaryOf(video, 'default') } }],
			parameters: createParameters({
				videoSource: 'binary',
				videoBinaryProperty: 'data',
				referenceImages: {},
				waitForCompletion: false,
			}),
		});
		expect(error).toBeUndefined();
		expect(seen()).toEqual([
			{
				servername: variant.host,
				url: `GET https://${variant.host}${variant.prefix}/uploads?action=getPolicy&model=happyhorse-1.0-video-edit`,
				headers: headers(variant),
			},
			{
				servername: variant.host,
				url: `POST https://${variant.host}${submitPath(variant)}`,
				headers: submitHeaders(variant, { 'x-dashscope-ossresourceresolve': 'enable' }),
			},
		]);
		// The file itself went to the policy's upload_host (the emulator's OSS), without the key.
		const [upload] = emulator.requestsOf('upload');
		expect(upload.headers.authorization).toBeUndefined();
		expect(emulator.createdTaskIds).toHaveLength(1);
	},
);

test.each(cases((variant) => !variant.uploads))(
	'%s: a file gets a clear error, and nothing is sent',
	async (_, variant) => {
		const { error } = await runNode({
			credentials: credentialsOf(variant),
			items: [{ json: {}, binary: { data: await binaryOf(fixture('good.mp4'), 'default') } }],
			parameters: createParameters({ videoSource: 'binary', videoBinaryProperty: 'data' }),
		});
		expect(error?.message).toMatch(/^Item 0: Input Binary Field \(video\): .* cannot take files$/);
		expect(front.requests).toEqual([]);
	},
);

test.each(cases((variant) => variant.family === 'native'))(
	'%s: Cancel Task and List Tasks',
	async (_, variant) => {
		const created = await runNode({
			credentials: credentialsOf(variant),
			parameters: createParameters({ waitForCompletion: false }),
		});
		const taskId = String(created.items[0].json.taskId);
		front.requests.length = 0;
		const canceled = await runNode({
			credentials: credentialsOf(variant),
			parameters: { operation: 'cancelTask', taskId },
		});
		expect(canceled.items[0]?.json).toMatchObject({ taskId, status: 'CANCELED' });
		const listed = await runNode({
			credentials: credentialsOf(variant),
			parameters: {
				operation: 'listTasks',
				startTime: '2026-12-06T00:00:00Z',
				endTime: '2026-12-06T12:00:00Z',
				model: 'happyhorse-1.0-video-edit',
				returnAll: true,
			},
		});
		expect(listed.items.map((item) => item.json.taskId)).toEqual([taskId]);
		expect(seen()).toEqual([
			{
				servername: variant.host,
				url: `POST https://${variant.host}${variant.prefix}/tasks/${taskId}/cancel`,
				headers: headers(variant, { 'content-length': expect.stringMatching(/^\d+$/) }),
			},
			{
				servername: variant.host,
				url: `GET https://${variant.host}${variant.prefix}/tasks?start_time=20261206080000&end_time=20261206200000&page_no=1&page_size=100&model_name=happyhorse-1.0-video-edit`,
				headers: headers(variant),
			},
		]);
	},
);

/** n8n's credential test: the credential's test request, authenticated as the credential says. */
async function credentialTest(credentials: ICredentialDataDecryptedObject): Promise<number> {
	const request = credentialType.test!.request;
	const baseURL = resolveCredentialExpression(request.baseURL as string, credentials);
	const url = resolveCredentialExpression(request.url as string, credentials);
	const authenticated = await new TestCredentialsHelper(credentials).authenticate(
		credentials,
		'happyHorseApi',
		{ url, headers: {} } as IHttpRequestOptions,
	);
	const response = await fetch(`${baseURL}${url}`, {
		method: request.method ?? 'GET',
		headers: authenticated.headers as Record<string, string>,
	});
	return response.status;
}

/** What fetch adds on its own; the rest is what the credential test sends. */
const FETCH_HEADERS = [
	'host',
	'connection',
	'accept',
	'accept-language',
	'sec-fetch-mode',
	'user-agent',
	'accept-encoding',
];

test.each(cases())(
	'%s: the credential test passes a good key and fails a bad one',
	async (_, variant) => {
		expect(await credentialTest(credentialsOf(variant))).toBe(200);
		expect(await credentialTest(credentialsOf(variant, 'sk-other-region'))).toBe(401);
		const path =
			variant.family === 'native' ? `${variant.prefix}/tasks/n8n-credential-test` : '/v1/models';
		expect(
			front.requests.map((request) => ({
				servername: request.servername,
				url: `${request.method} https://${request.host}${request.path}`,
				headers: Object.fromEntries(
					Object.entries(request.headers).filter(([name]) => !FETCH_HEADERS.includes(name)),
				),
			})),
		).toEqual(
			[emulator.apiKey, 'sk-other-region'].map((apiKey) => ({
				servername: variant.host,
				url: `GET https://${variant.host}${path}`,
				headers: { authorization: `Bearer ${apiKey}` },
			})),
		);
	},
);
