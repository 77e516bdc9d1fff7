import { EventBridgeSigner, taskFinishedEvent } from '../dev/emulator';
import type { SignedStringVariant } from '../dev/emulator';
import type { PublicKeyLoader } from '../nodes/HappyHorse/transport/eventBridgeSignature';
import {
	certificateUrlProblem,
	publicKeyOfPem,
	verifyDelivery,
} from '../nodes/HappyHorse/transport/eventBridgeSignature';

/**
 * The node's check of EventBridge's version 2 signature, against deliveries signed by the
 * emulator's independent signer (dev/emulator/eventPush.ts). The public key comes from a loader
 * given here: the production loader's own rule (only EventBridge's certificate hosts, fetched
 * with limits) is tested below with the real function and, end to end, in test/node/trigger.test.ts
 * and test/e2e/trigger.e2e.ts (the real host name on loopback TLS).
 */

const URL_SIGNED = 'https://n8n.example.com/webhook/7f0c7a51/webhook';
const CERTIFICATE_URL =
	'https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/x509_public_certificate.pem';
const TOKEN = 'event-token-1';
const signer = new EventBridgeSigner();
const body = JSON.stringify(
	taskFinishedEvent(
		{ id: 'task-1', model: 'happyhorse-1.0-t2v', submittedAt: Date.now() - 5000 },
		'SUCCEEDED',
	),
);

function loaderOf(pem: string): PublicKeyLoader & { calls: string[] } {
	const calls: string[] = [];
	const loader = async (url: string) => {
		calls.push(url);
		return publicKeyOfPem(pem);
	};
	return Object.assign(loader, { calls });
}

function signed(
	overrides: {
		body?: string;
		token?: string;
		timestamp?: number;
		certificateUrl?: string;
		variant?: SignedStringVariant;
		url?: string;
	} = {},
) {
	return signer.headers({
		url: overrides.url ?? URL_SIGNED,
		body: overrides.body ?? body,
		certificateUrl: overrides.certificateUrl ?? CERTIFICATE_URL,
		token: 'token' in overrides ? overrides.token : TOKEN,
		timestamp: overrides.timestamp,
		variant: overrides.variant,
	});
}

async function check(
	headers: Record<string, string>,
	options: { rawBody?: string; expectedToken?: string; loader?: PublicKeyLoader } = {},
) {
	return await verifyDelivery(
		{
			headers,
			rawBody: Buffer.from(options.rawBody ?? body),
			signedUrl: URL_SIGNED,
			expectedToken: 'expectedToken' in options ? options.expectedToken : TOKEN,
			now: Date.now(),
		},
		options.loader ?? loaderOf(signer.publicKeyPem),
	);
}

test('a good delivery passes, with the documented string to sign', async () => {
	const loader = loaderOf(signer.publicKeyPem);
	expect(await check(signed(), { loader })).toEqual({ ok: true, variant: 'documented' });
	expect(loader.calls).toEqual([CERTIFICATE_URL]);
});

test.each<[SignedStringVariant, string | undefined]>([
	['documented', TOKEN],
	['trailingNewline', TOKEN],
	['documented', undefined],
	['noTokenLine', undefined],
	['noTokenLineTrailingNewline', undefined],
])('the accepted variant %s (token %s) passes and is named', async (variant, token) => {
	const verdict = await check(signed({ variant, token }), { expectedToken: token });
	expect(verdict).toEqual({ ok: true, variant });
});

test('without a token header, a string signed without the token line is accepted only then', async () => {
	// With a token header, leaving its line out is no variant: the token is part of what is signed.
	const headers = signed({ variant: 'noTokenLine', token: TOKEN });
	expect(await check(headers)).toEqual({ ok: false, reason: 'the signature does not match' });
});

test('a tampered body fails', async () => {
	const tampered = body.replace('SUCCEEDED', 'FAILED');
	expect(tampered).not.toBe(body);
	expect(await check(signed(), { rawBody: tampered })).toEqual({
		ok: false,
		reason: 'the signature does not match',
	});
});

test('a body signed for another URL fails: the signed URL is this node’s production URL', async () => {
	const headers = signed({ url: 'https://other.example.com/webhook/7f0c7a51/webhook' });
	expect(await check(headers)).toEqual({ ok: false, reason: 'the signature does not match' });
});

test('a wrong or missing token fails before any certificate is fetched', async () => {
	const loader = loaderOf(signer.publicKeyPem);
	expect(await check(signed({ token: 'another-token' }), { loader })).toEqual({
		ok: false,
		reason: 'the event token differs from the credential',
	});
	expect(await check(signed({ token: undefined }), { loader })).toEqual({
		ok: false,
		reason: 'the event token differs from the credential',
	});
	expect(loader.calls).toEqual([]);
});

test('an old or future timestamp fails (60 s), a fresh one in seconds passes', async () => {
	const loader = loaderOf(signer.publicKeyPem);
	for (const timestamp of [Date.now() - 61_000, Date.now() + 61_000]) {
		expect(await check(signed({ timestamp }), { loader })).toEqual({
			ok: false,
			reason: 'the signature timestamp is more than 60 s away',
		});
	}
	expect(loader.calls).toEqual([]);
	// Ten digits are seconds: a fresh timestamp in seconds passes.
	const inSeconds = signed({ timestamp: Math.floor(Date.now() / 1000) });
	expect(await check(inSeconds)).toEqual({ ok: true, variant: 'documented' });
});

test('a certificate from another host fails without being fetched', async () => {
	const loader = loaderOf(signer.publicKeyPem);
	const elsewhere = 'https://attacker.example.com/x509_public_certificate.pem';
	expect(await check(signed({ certificateUrl: elsewhere }), { loader })).toEqual({
		ok: false,
		reason: expect.stringContaining('not on an EventBridge host'),
	});
	expect(loader.calls).toEqual([]);
});

test('a signature by another key fails', async () => {
	const other = new EventBridgeSigner();
	expect(await check(signed(), { loader: loaderOf(other.publicKeyPem) })).toEqual({
		ok: false,
		reason: 'the signature does not match',
	});
});

test('a certificate that cannot be read is a retryable failure', async () => {
	const verdict = await check(signed(), {
		loader: async () => {
			throw new Error('HTTP 503');
		},
	});
	expect(verdict).toEqual({
		ok: false,
		reason: 'the signing certificate could not be read: HTTP 503',
		retryable: true,
	});
});

test.each([
	[
		'https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/x509_public_certificate.pem',
		undefined,
	],
	['https://ap-southeast-1-eventbridge.oss-accelerate.aliyuncs.com/cert.pem?version=2', undefined],
	[
		'http://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/cert.pem',
		'the certificate URL is not https',
	],
	[
		'https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com:8443/cert.pem',
		'the certificate URL names a port',
	],
	[
		'https://u:p@cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/cert.pem',
		'the certificate URL carries a user name',
	],
	[
		'https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com.evil.com/cert.pem',
		'not on an EventBridge host',
	],
	// Any OSS bucket can be named "…-eventbridge": only Model Studio's regions count.
	[
		'https://my-bucket-eventbridge.oss-accelerate.aliyuncs.com/cert.pem',
		'not on an EventBridge host',
	],
	['https://eventbridge.oss-accelerate.aliyuncs.com/cert.pem', 'not on an EventBridge host'],
	['not a url', 'the certificate URL is not a URL'],
	[undefined, 'no certificate URL'],
])('certificate URL %s: %s', (url, problem) => {
	const found = certificateUrlProblem(url);
	if (problem === undefined) expect(found).toBeUndefined();
	else expect(found).toContain(problem);
});
