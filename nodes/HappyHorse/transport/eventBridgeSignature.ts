import type { KeyObject } from 'crypto';
import { X509Certificate, createHash, createPublicKey, timingSafeEqual, verify } from 'crypto';

import type { NodeContext } from './context';
import { readBounded } from './request';

/**
 * EventBridge's signature of an HTTP push, version 2 (RSA-SHA256), as docs/API.md, "Completion
 * events" describes it (EventBridge "signature algorithm", checked December 2026).
 */
const SIGNATURE_HEADERS = {
	timestamp: 'x-eventbridge-signature-timestamp',
	hashMethod: 'x-eventbridge-hash-method',
	version: 'x-eventbridge-signature-version',
	certificateUrl: 'x-eventbridge-signature-url',
	token: 'x-eventbridge-signature-token',
	signature: 'x-eventbridge-signature-v2',
} as const;

/** Older or newer than this against the receiver's clock, a delivery is a replay. */
const SIGNATURE_MAX_AGE_MS = 60_000;

/**
 * The signing certificate comes from `https://{RegionId}-eventbridge.oss-accelerate.aliyuncs.com/`
 * only, on the default port. The host is an OSS bucket name, which anyone may try to register, so
 * the region is one of those where Model Studio runs (docs/API.md, "Completion events"), not any
 * text before `-eventbridge`.
 */
const CERTIFICATE_HOST_SUFFIX = '-eventbridge.oss-accelerate.aliyuncs.com';
const EVENT_REGIONS: readonly string[] = [
	'cn-beijing',
	'cn-hongkong',
	'ap-southeast-1',
	'eu-central-1',
	'us-east-1',
];

/** A certificate is a few KB; anything larger is not one. */
const CERTIFICATE_MAX_BYTES = 16 * 1024;
const CERTIFICATE_FETCH_TIMEOUT_MS = 3_000;
/** Certificates are kept this long, for at most this many URLs, per process. */
const CERTIFICATE_CACHE_TTL_MS = 60 * 60 * 1000;
const CERTIFICATE_CACHE_SIZE = 16;

/**
 * The strings EventBridge may have signed. Public implementations agree on the order (the URL
 * the push went to, five `name: value` header lines, the body, joined by `\n`) and disagree on
 * two details, so each documented variant is tried, and the one that matched is reported:
 * - `documented`: the token line is always there (empty value without a token), no newline after
 *   the body;
 * - `trailingNewline`: the same with `\n` after the body (implementations that end every line);
 * - `noTokenLine` and `noTokenLineTrailingNewline`: without the token line, only when the push
 *   has no token header (implementations that leave an unset header out).
 */
type SignedStringVariant =
	'documented' | 'trailingNewline' | 'noTokenLine' | 'noTokenLineTrailingNewline';

export type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function stringsToSign(
	signedUrl: string,
	headers: Headers,
	rawBody: Buffer,
): Array<{ variant: SignedStringVariant; bytes: Buffer }> {
	const line = (name: string) => `${name}: ${header(headers, name) ?? ''}`;
	const withToken = [
		SIGNATURE_HEADERS.timestamp,
		SIGNATURE_HEADERS.hashMethod,
		SIGNATURE_HEADERS.version,
		SIGNATURE_HEADERS.certificateUrl,
		SIGNATURE_HEADERS.token,
	].map(line);
	const build = (lines: string[], trailing: boolean) =>
		Buffer.concat([
			Buffer.from(`${signedUrl}\n${lines.join('\n')}\n`, 'utf8'),
			rawBody,
			Buffer.from(trailing ? '\n' : '', 'utf8'),
		]);
	const variants: Array<{ variant: SignedStringVariant; bytes: Buffer }> = [
		{ variant: 'documented', bytes: build(withToken, false) },
		{ variant: 'trailingNewline', bytes: build(withToken, true) },
	];
	if (header(headers, SIGNATURE_HEADERS.token) === undefined) {
		const withoutToken = withToken.slice(0, 4);
		variants.push(
			{ variant: 'noTokenLine', bytes: build(withoutToken, false) },
			{ variant: 'noTokenLineTrailingNewline', bytes: build(withoutToken, true) },
		);
	}
	return variants;
}

/**
 * Why this URL is not one of EventBridge's certificate URLs
 * (`https://{RegionId}-eventbridge.oss-accelerate.aliyuncs.com/…`); undefined when it is.
 */
export function certificateUrlProblem(value: string | undefined): string | undefined {
	if (!value) return 'no certificate URL';
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'the certificate URL is not a URL';
	}
	if (url.protocol !== 'https:') return 'the certificate URL is not https';
	if (url.username || url.password) return 'the certificate URL carries a user name';
	if (url.port) return 'the certificate URL names a port';
	const region = url.hostname.endsWith(CERTIFICATE_HOST_SUFFIX)
		? url.hostname.slice(0, -CERTIFICATE_HOST_SUFFIX.length)
		: undefined;
	if (region === undefined || !EVENT_REGIONS.includes(region)) {
		return `the certificate is not on an EventBridge host of a Model Studio region ({region}${CERTIFICATE_HOST_SUFFIX})`;
	}
	return undefined;
}

export interface DeliveryToVerify {
	headers: Headers;
	rawBody: Buffer;
	/** This node's production webhook URL: a signature over another URL does not match. */
	signedUrl: string;
	/** The credential's Event Token; when set, the push must carry the same one. */
	expectedToken?: string;
	now: number;
}

export type Verdict =
	{ ok: true; variant: SignedStringVariant } | { ok: false; reason: string; retryable?: boolean };

/** The public key behind a certificate URL that passed certificateUrlProblem(). */
export type PublicKeyLoader = (certificateUrl: string) => Promise<KeyObject>;

function sameSecret(a: string, b: string): boolean {
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(a), digest(b));
}

function timestampMs(value: string | undefined): number | undefined {
	if (!value || !/^\d{1,16}$/.test(value)) return undefined;
	const number = Number(value);
	// Milliseconds as in every public example; ten digits are taken as seconds.
	return value.length <= 10 ? number * 1000 : number;
}

/** Why the push's token is not the credential's Event Token; undefined when it is. */
export function tokenProblem(headers: Headers, expectedToken: string): string | undefined {
	const token = header(headers, SIGNATURE_HEADERS.token);
	return token !== undefined && sameSecret(token, expectedToken)
		? undefined
		: 'the event token differs from the credential';
}

/** Checks a push: its age, its token, where its certificate comes from, and its signature. */
export async function verifyDelivery(
	delivery: DeliveryToVerify,
	loadPublicKey: PublicKeyLoader,
): Promise<Verdict> {
	const { headers } = delivery;
	const sentAt = timestampMs(header(headers, SIGNATURE_HEADERS.timestamp));
	if (sentAt === undefined) return { ok: false, reason: 'no signature timestamp' };
	if (Math.abs(delivery.now - sentAt) > SIGNATURE_MAX_AGE_MS) {
		return { ok: false, reason: 'the signature timestamp is more than 60 s away' };
	}
	const wrongToken = delivery.expectedToken && tokenProblem(headers, delivery.expectedToken);
	if (wrongToken) return { ok: false, reason: wrongToken };
	const hashMethod = header(headers, SIGNATURE_HEADERS.hashMethod);
	if (hashMethod !== undefined && hashMethod.toUpperCase() !== 'SHA256') {
		return { ok: false, reason: `hash method ${hashMethod.slice(0, 20)} is not SHA256` };
	}
	const signature = header(headers, SIGNATURE_HEADERS.signature);
	if (!signature) return { ok: false, reason: 'no version 2 signature' };
	const certificateUrl = header(headers, SIGNATURE_HEADERS.certificateUrl);
	const problem = certificateUrlProblem(certificateUrl);
	if (problem) return { ok: false, reason: problem };

	let key: KeyObject;
	try {
		key = await loadPublicKey(certificateUrl as string);
	} catch (error) {
		return {
			ok: false,
			reason: `the signing certificate could not be read: ${(error as Error).message}`,
			retryable: true,
		};
	}
	const signatureBytes = Buffer.from(signature, 'base64');
	for (const { variant, bytes } of stringsToSign(delivery.signedUrl, headers, delivery.rawBody)) {
		if (verify('RSA-SHA256', bytes, key, signatureBytes)) return { ok: true, variant };
	}
	return { ok: false, reason: 'the signature does not match' };
}

/** A public key from a PEM certificate (or a bare PEM public key). */
export function publicKeyOfPem(pem: string): KeyObject {
	return pem.includes('BEGIN CERTIFICATE')
		? new X509Certificate(pem).publicKey
		: createPublicKey(pem);
}

/** Per certificate URL, the key (or the fetch under way, shared by deliveries that arrive together). */
const certificateCache = new Map<string, { key: Promise<KeyObject>; expiresAt: number }>();

async function fetchPublicKey(ctx: NodeContext, certificateUrl: string): Promise<KeyObject> {
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url: certificateUrl,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: CERTIFICATE_FETCH_TIMEOUT_MS,
	})) as { statusCode: number; body: unknown; headers?: Record<string, unknown> };
	const text = await readBounded(response.body, response.headers ?? {}, CERTIFICATE_MAX_BYTES);
	if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
	if (text === undefined) throw new Error('larger than 16 KB');
	return publicKeyOfPem(text);
}

/**
 * The production loader: the certificate URL exactly as EventBridge gave it, checked again
 * against the host rule, fetched once an hour at most with a size and time limit, no redirect,
 * no credential. A failed fetch is not kept.
 */
export function certificateLoader(ctx: NodeContext): PublicKeyLoader {
	return async (certificateUrl) => {
		const problem = certificateUrlProblem(certificateUrl);
		if (problem) throw new Error(problem);
		const now = Date.now();
		const cached = certificateCache.get(certificateUrl);
		if (cached && cached.expiresAt > now) return await cached.key;
		if (certificateCache.size >= CERTIFICATE_CACHE_SIZE) {
			certificateCache.delete(certificateCache.keys().next().value as string);
		}
		const key = fetchPublicKey(ctx, certificateUrl);
		certificateCache.set(certificateUrl, { key, expiresAt: now + CERTIFICATE_CACHE_TTL_MS });
		key.catch(() => certificateCache.delete(certificateUrl));
		return await key;
	};
}
