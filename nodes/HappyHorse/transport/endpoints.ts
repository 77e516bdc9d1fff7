/**
 * Where each endpoint variant of the credential lives and which API family it speaks.
 * The credential's test request and the transport both read this table, so a new variant
 * is added in one place.
 */
import type { ApiFamily } from '../schemas/task';

export type EndpointName =
	| 'dashscopeBeijing'
	| 'dashscopeSingapore'
	| 'dashscopeUs'
	| 'modelStudioWorkspace'
	| 'infiflow'
	| 'anyfast'
	| 'custom';

/** The variants whose base URL the user builds: from a workspace id, or given whole. */
type BuiltEndpointName = 'modelStudioWorkspace' | 'custom';

export interface KnownEndpoint {
	displayName: string;
	description: string;
	baseUrl: string;
	family: ApiFamily;
	/** Whether it offers DashScope's temporary upload, so files from earlier nodes can be sent. */
	uploads: boolean;
}

export const KNOWN_ENDPOINTS: Record<Exclude<EndpointName, BuiltEndpointName>, KnownEndpoint> = {
	dashscopeBeijing: {
		displayName: 'DashScope Beijing (China)',
		description: 'Alibaba Model Studio, China (Beijing) region: dashscope.aliyuncs.com',
		baseUrl: 'https://dashscope.aliyuncs.com/api/v1',
		family: 'native',
		uploads: true,
	},
	dashscopeSingapore: {
		displayName: 'DashScope Singapore (International, Being Retired)',
		// docs/API.md, "Endpoints": Alibaba's newest page says this domain "will soon go offline".
		description:
			'dashscope-intl.aliyuncs.com, which Alibaba says will soon go offline: prefer Model Studio Workspace with region Singapore',
		baseUrl: 'https://dashscope-intl.aliyuncs.com/api/v1',
		family: 'native',
		uploads: true,
	},
	dashscopeUs: {
		displayName: 'DashScope US (Virginia)',
		description: 'Alibaba Model Studio, US (Virginia) region: dashscope-us.aliyuncs.com',
		baseUrl: 'https://dashscope-us.aliyuncs.com/api/v1',
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

/**
 * The regions of Model Studio's workspace domains that serve HappyHorse (docs/API.md,
 * "Endpoints"): `https://{workspaceId}.{region}.maas.aliyuncs.com/api/v1`. Frankfurt has only this
 * domain; Singapore's replaces dashscope-intl.
 */
export const WORKSPACE_REGIONS = {
	'ap-southeast-1': 'Singapore (ap-southeast-1)',
	'eu-central-1': 'Frankfurt (eu-central-1)',
	'cn-beijing': 'Beijing (cn-beijing)',
} as const;

type WorkspaceRegion = keyof typeof WORKSPACE_REGIONS;

const DEFAULT_WORKSPACE_REGION: WorkspaceRegion = 'ap-southeast-1';

/** One DNS label (RFC 1035): what a workspace id must be to stand in front of the region's domain. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Why a workspace id cannot be used, or undefined when it can. Ids look like `ws-756pfhanyfvqhdkw`. */
function workspaceIdProblem(workspaceId: string): string | undefined {
	if (workspaceId === '') return 'is empty';
	if (!DNS_LABEL.test(workspaceId)) {
		return 'is not a workspace id (letters, digits and inner hyphens, at most 63)';
	}
	return undefined;
}

/**
 * Why a workspace region cannot be used, or undefined when it can; none given means the default.
 * An unknown one is refused rather than replaced: the key would go to another region's domain.
 */
function workspaceRegionProblem(region: unknown): string | undefined {
	if (region === undefined || region === '' || isWorkspaceRegion(region)) return undefined;
	return `is not one of ${Object.keys(WORKSPACE_REGIONS).join(', ')}`;
}

function isWorkspaceRegion(region: unknown): region is WorkspaceRegion {
	return typeof region === 'string' && Object.hasOwn(WORKSPACE_REGIONS, region);
}

function workspaceBaseUrl(workspaceId: string, region: unknown): string {
	const domainRegion = isWorkspaceRegion(region) ? region : DEFAULT_WORKSPACE_REGION;
	return `https://${workspaceId}.${domainRegion}.maas.aliyuncs.com/api/v1`;
}

/** Task id the credential test asks a native endpoint about: any id works, a valid key gets 200. */
const CREDENTIAL_PROBE_TASK_ID = 'n8n-credential-test';

export interface CredentialEndpointFields {
	endpoint?: unknown;
	baseUrl?: unknown;
	apiFormat?: unknown;
	workspaceId?: unknown;
	workspaceRegion?: unknown;
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
function baseUrlProblem(baseUrl: string): string | undefined {
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

/** The credential's endpoint variant; none set is the form's default, Beijing. */
function endpointOf(credentials: CredentialEndpointFields): EndpointName {
	return (credentials.endpoint ?? 'dashscopeBeijing') as EndpointName;
}

function workspaceIdOf(credentials: CredentialEndpointFields): string {
	return String(credentials.workspaceId ?? '').trim();
}

/** A credential field that cannot be used as it is, with why; checked when the node uses it. */
export interface CredentialFieldProblem {
	field: 'Workspace ID' | 'Workspace Region' | 'Base URL';
	problem: string;
	/** The value, where quoting it gives nothing away (a URL may hold a password). */
	quoted?: string;
}

export function credentialFieldProblem(
	credentials: CredentialEndpointFields,
): CredentialFieldProblem | undefined {
	const endpoint = endpointOf(credentials);
	if (endpoint === 'modelStudioWorkspace') {
		const workspaceId = workspaceIdOf(credentials);
		const problem = workspaceIdProblem(workspaceId);
		if (problem) {
			return {
				field: 'Workspace ID',
				problem,
				quoted: workspaceId === '' ? undefined : workspaceId,
			};
		}
		const regionProblem = workspaceRegionProblem(credentials.workspaceRegion);
		if (!regionProblem) return undefined;
		return {
			field: 'Workspace Region',
			problem: regionProblem,
			quoted: String(credentials.workspaceRegion),
		};
	}
	if (endpoint === 'custom') {
		const { baseUrl } = resolveEndpoint(credentials);
		const problem = baseUrlProblem(baseUrl);
		if (!problem) return undefined;
		return {
			field: 'Base URL',
			problem,
			quoted: problem === 'is not an http(s) URL' ? baseUrl : undefined,
		};
	}
	return undefined;
}

export function resolveEndpoint(credentials: CredentialEndpointFields): ResolvedEndpoint {
	const endpoint = endpointOf(credentials);
	if (endpoint === 'modelStudioWorkspace') {
		return {
			baseUrl: workspaceBaseUrl(workspaceIdOf(credentials), credentials.workspaceRegion),
			family: 'native',
			uploads: true,
		};
	}
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

// A workspace speaks the native API whatever a hidden API Format from an earlier choice says.
const customFamily =
	"($credentials.endpoint !== 'modelStudioWorkspace' && $credentials.apiFormat === 'anyfast' ? 'anyfast' : 'native')";
const familyExpression = endpointTernary((endpoint) => endpoint.family, customFamily);

/**
 * Where the credential test of a custom base URL that baseUrlProblem refuses goes instead: a
 * name under `.invalid`, which never resolves (RFC 2606), so the test fails, the key goes
 * nowhere, and the name says why. The node itself refuses the URL with a clear message.
 */
const REFUSED_BASE_URL_PROBE =
	'https://the-base-url-may-not-hold-a-user-name-a-query-or-a-fragment.invalid';

const customBaseUrl = "($credentials.baseUrl || '').trim()";

/**
 * Where the credential test of a workspace id that workspaceIdProblem refuses goes instead, as
 * for a refused base URL: a name under `.invalid` that says why.
 */
const REFUSED_WORKSPACE_PROBE = 'https://the-workspace-id-is-not-one-host-name-label.invalid';

/** The same for a workspace region that workspaceRegionProblem refuses. */
const REFUSED_REGION_PROBE = 'https://the-workspace-region-is-not-one-the-node-knows.invalid';

const workspaceId = "($credentials.workspaceId || '').trim()";
const workspaceRegion = `($credentials.workspaceRegion || '${DEFAULT_WORKSPACE_REGION}')`;
const knownRegion = `['${Object.keys(WORKSPACE_REGIONS).join("', '")}'].includes(${workspaceRegion})`;
const workspaceBaseUrlExpression = `(!/${DNS_LABEL.source}/i.test(${workspaceId}) ? '${REFUSED_WORKSPACE_PROBE}' : !${knownRegion} ? '${REFUSED_REGION_PROBE}' : 'https://' + ${workspaceId} + '.' + ${workspaceRegion} + '.maas.aliyuncs.com/api/v1')`;

/** `baseURL` of the credential test: the variant's base URL, or the custom one without a trailing slash. */
export const credentialTestBaseUrlExpression = `={{ ${endpointTernary(
	(endpoint) => endpoint.baseUrl,
	// n8n's expression sandbox has no String(): coerce with || instead. The test mirrors
	// workspaceIdProblem's rule and baseUrlProblem's user info, query and fragment rules.
	`$credentials.endpoint === 'modelStudioWorkspace' ? ${workspaceBaseUrlExpression} : (/^[a-z][a-z0-9+.-]*:\\/\\/[^\\/?#]*@|[?#]/i.test(${customBaseUrl}) ? '${REFUSED_BASE_URL_PROBE}' : ${customBaseUrl}.replace(/\\/+$/, ''))`,
)} }}`;

/** `url` of the credential test: a free, authenticated read on each family. */
export const credentialTestPathExpression = `={{ (${familyExpression}) === 'anyfast' ? '/v1/models' : '/tasks/${CREDENTIAL_PROBE_TASK_ID}' }}`;
