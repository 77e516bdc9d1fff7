/**
 * Where each endpoint variant of the credential lives and which API family it speaks.
 * The credential's test request and the transport both read this table, so a new variant
 * is added in one place.
 */
import type { ApiFamily } from '../schemas/task';

export type EndpointName =
	'dashscopeBeijing' | 'dashscopeSingapore' | 'infiflow' | 'anyfast' | 'custom';

export interface KnownEndpoint {
	displayName: string;
	description: string;
	baseUrl: string;
	family: ApiFamily;
	/** Whether it offers DashScope's temporary upload, so files from earlier nodes can be sent. */
	uploads: boolean;
}

export const KNOWN_ENDPOINTS: Record<Exclude<EndpointName, 'custom'>, KnownEndpoint> = {
	dashscopeBeijing: {
		displayName: 'DashScope Beijing (China)',
		description: 'Alibaba Model Studio, China (Beijing) region: dashscope.aliyuncs.com',
		baseUrl: 'https://dashscope.aliyuncs.com/api/v1',
		family: 'native',
		uploads: true,
	},
	dashscopeSingapore: {
		displayName: 'DashScope Singapore (International)',
		description:
			'Alibaba Model Studio, international (Singapore) region: dashscope-intl.aliyuncs.com',
		baseUrl: 'https://dashscope-intl.aliyuncs.com/api/v1',
		family: 'native',
		uploads: true,
	},
	infiflow: {
		displayName: 'Infiflow DashScope Proxy',
		description: 'The DashScope-compatible proxy at llm.infiflow.cn',
		baseUrl: 'https://llm.infiflow.cn/dashscope/api/v1',
		family: 'native',
		// The proxy documents only the submit; its upload is unproven, so files are refused.
		uploads: false,
	},
	anyfast: {
		displayName: 'Anyfast Gateway',
		description: 'The Anyfast (new-api) gateway at www.anyfast.com.cn',
		baseUrl: 'https://www.anyfast.com.cn',
		family: 'anyfast',
		uploads: false,
	},
};

/** Task id the credential test asks a native endpoint about: any id works, a valid key gets 200. */
const CREDENTIAL_PROBE_TASK_ID = 'n8n-credential-test';

export interface CredentialEndpointFields {
	endpoint?: unknown;
	baseUrl?: unknown;
	apiFormat?: unknown;
}

export interface ResolvedEndpoint {
	/** Base URL without a trailing slash. */
	baseUrl: string;
	family: ApiFamily;
	uploads: boolean;
}

function trimTrailingSlashes(url: string): string {
	return url.replace(/\/+$/, '');
}

/**
 * Why a custom base URL cannot be used, or undefined when it can. User info would make the HTTP
 * library replace the Bearer key with Basic auth on every call; a query or a fragment would end
 * up in front of the API's paths. The key goes to a plain http(s) base URL only.
 */
export function baseUrlProblem(baseUrl: string): string | undefined {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		url = new URL('invalid:');
	}
	if (
		!/^https?:\/\/[^/]/.test(baseUrl) ||
		(url.protocol !== 'http:' && url.protocol !== 'https:')
	) {
		return 'is not an http(s) URL';
	}
	if (url.username || url.password || /^[a-z]+:\/\/[^\\/?#]*@/i.test(baseUrl)) {
		return 'may not hold a user name or password';
	}
	if (baseUrl.includes('?')) return 'may not hold a query (?…)';
	if (baseUrl.includes('#')) return 'may not hold a fragment (#…)';
	return undefined;
}

export function resolveEndpoint(credentials: CredentialEndpointFields): ResolvedEndpoint {
	const endpoint = (credentials.endpoint ?? 'dashscopeBeijing') as EndpointName;
	if (endpoint === 'custom') {
		const family = credentials.apiFormat === 'anyfast' ? 'anyfast' : 'native';
		return {
			baseUrl: trimTrailingSlashes(String(credentials.baseUrl ?? '').trim()),
			family,
			uploads: family === 'native',
		};
	}
	const known = KNOWN_ENDPOINTS[endpoint];
	if (!known) throw new Error(`Unknown HappyHorse endpoint "${String(endpoint)}"`);
	return { baseUrl: known.baseUrl, family: known.family, uploads: known.uploads };
}

/**
 * n8n evaluates the credential test request with its expression engine, which handles
 * ternaries but not computed lookups in object literals, so the table becomes a chain of
 * `$credentials.endpoint === '…' ? … :` built from KNOWN_ENDPOINTS.
 */
function endpointTernary(
	valueOf: (endpoint: KnownEndpoint) => string,
	customValue: string,
): string {
	const branches = Object.entries(KNOWN_ENDPOINTS).map(
		([name, endpoint]) => `$credentials.endpoint === '${name}' ? '${valueOf(endpoint)}' : `,
	);
	return `${branches.join('')}${customValue}`;
}

const customFamily = "($credentials.apiFormat === 'anyfast' ? 'anyfast' : 'native')";
const familyExpression = endpointTernary((endpoint) => endpoint.family, customFamily);

/**
 * Where the credential test of a custom base URL that baseUrlProblem refuses goes instead: a
 * name under `.invalid`, which never resolves (RFC 2606), so the test fails, the key goes
 * nowhere, and the name says why. The node itself refuses the URL with a clear message.
 */
const REFUSED_BASE_URL_PROBE =
	'https://the-base-url-may-not-hold-a-user-name-a-query-or-a-fragment.invalid';

const customBaseUrl = "($credentials.baseUrl || '').trim()";

/** `baseURL` of the credential test: the variant's base URL, or the custom one without a trailing slash. */
export const credentialTestBaseUrlExpression = `={{ ${endpointTernary(
	(endpoint) => endpoint.baseUrl,
	// n8n's expression sandbox has no String(): coerce with || instead. The test mirrors
	// baseUrlProblem's user info, query and fragment rules.
	`(/^[a-z][a-z0-9+.-]*:\\/\\/[^\\/?#]*@|[?#]/i.test(${customBaseUrl}) ? '${REFUSED_BASE_URL_PROBE}' : ${customBaseUrl}.replace(/\\/+$/, ''))`,
)} }}`;

/** `url` of the credential test: a free, authenticated read on each family. */
export const credentialTestPathExpression = `={{ (${familyExpression}) === 'anyfast' ? '/v1/models' : '/tasks/${CREDENTIAL_PROBE_TASK_ID}' }}`;
