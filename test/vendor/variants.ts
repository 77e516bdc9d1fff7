/**
 * Every endpoint variant of the credential with the host and path prefix it must reach, written
 * out here by hand from docs/API.md ("Endpoints"), not read from transport/endpoints.ts: a wrong
 * entry there makes the vendor-host suite fail.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

const WORKSPACE_ID = 'ws-756pfhanyfvqhdkw';

export interface Variant {
	label: string;
	credentials: ICredentialDataDecryptedObject;
	host: string;
	/** Where the API's paths start on that host. */
	prefix: string;
	family: 'native' | 'anyfast';
	/** Whether the endpoint takes files (temporary upload). */
	uploads: boolean;
	/** What the loopback front takes off the path before the emulator (which serves /api/v1). */
	frontStrip?: string;
}

const workspace = (region: string): Variant => ({
	label: `modelStudioWorkspace ${region}`,
	credentials: {
		endpoint: 'modelStudioWorkspace',
		workspaceId: WORKSPACE_ID,
		workspaceRegion: region,
	},
	host: `${WORKSPACE_ID}.${region}.maas.aliyuncs.com`,
	prefix: '/api/v1',
	family: 'native',
	uploads: true,
});

export const VARIANTS: Variant[] = [
	{
		label: 'dashscopeBeijing',
		credentials: { endpoint: 'dashscopeBeijing' },
		host: 'dashscope.aliyuncs.com',
		prefix: '/api/v1',
		family: 'native',
		uploads: true,
	},
	{
		label: 'dashscopeSingapore',
		credentials: { endpoint: 'dashscopeSingapore' },
		host: 'dashscope-intl.aliyuncs.com',
		prefix: '/api/v1',
		family: 'native',
		uploads: true,
	},
	{
		label: 'dashscopeUs',
		credentials: { endpoint: 'dashscopeUs' },
		host: 'dashscope-us.aliyuncs.com',
		prefix: '/api/v1',
		family: 'native',
		uploads: true,
	},
	workspace('ap-southeast-1'),
	workspace('eu-central-1'),
	workspace('cn-beijing'),
	{
		label: 'infiflow',
		credentials: { endpoint: 'infiflow' },
		host: 'llm.infiflow.cn',
		prefix: '/dashscope/api/v1',
		family: 'native',
		uploads: false,
		frontStrip: '/dashscope',
	},
	{
		label: 'anyfast',
		credentials: { endpoint: 'anyfast' },
		host: 'www.anyfast.com.cn',
		prefix: '',
		family: 'anyfast',
		uploads: false,
	},
];

export const VENDOR_HOST_NAMES = VARIANTS.map((variant) => variant.host);

/** What the parent suite hands the child: the throwaway CA's server certificate and key. */
export const VENDOR_TLS_ENV = 'HAPPYHORSE_VENDOR_TLS';
