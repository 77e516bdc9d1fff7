import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import {
	KNOWN_ENDPOINTS,
	WORKSPACE_REGIONS,
	credentialTestBaseUrlExpression,
	credentialTestPathExpression,
} from '../nodes/HappyHorse/transport/endpoints';

export class HappyHorseApi implements ICredentialType {
	name = 'happyHorseApi';

	displayName = 'HappyHorse API';

	icon = 'file:happyhorse.svg' as const;

	// The README in the repository (package.json's homepage) until the first release gives the
	// package an npm page; RELEASING.md, "Fill the placeholders".
	documentationUrl = 'https://github.com/OWNER/n8n-nodes-happyhorse#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'A DashScope (Alibaba Model Studio) API key for the region you pick below, or an Anyfast key',
		},
		{
			displayName: 'Endpoint',
			name: 'endpoint',
			type: 'options',
			default: 'dashscopeBeijing',
			description: 'Where the API key is valid. A DashScope key works only in its own region.',
			options: [
				...Object.entries(KNOWN_ENDPOINTS).map(([value, endpoint]) => ({
					name: endpoint.displayName,
					value,
					description: endpoint.description,
				})),
				{
					name: 'Model Studio Workspace (Singapore, Frankfurt, Beijing)',
					value: 'modelStudioWorkspace',
					description:
						"Your workspace's own domain, {workspace ID}.{region}.maas.aliyuncs.com: Singapore's new domain and Frankfurt's only one",
				},
				{
					name: 'Custom Base URL',
					value: 'custom',
					description: 'Any server that speaks the DashScope or the Anyfast API',
				},
			],
		},
		{
			displayName: 'Workspace ID',
			name: 'workspaceId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'ws-756pfhanyfvqhdkw',
			description:
				'The Model Studio workspace ID: in the Model Studio console, the icon at the top right. The API key must belong to this workspace.',
			displayOptions: { show: { endpoint: ['modelStudioWorkspace'] } },
		},
		{
			displayName: 'Workspace Region',
			name: 'workspaceRegion',
			type: 'options',
			default: 'ap-southeast-1',
			description: "The region of the workspace's domain",
			options: Object.entries(WORKSPACE_REGIONS).map(([value, name]) => ({ name, value })),
			displayOptions: { show: { endpoint: ['modelStudioWorkspace'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://dashscope.aliyuncs.com/api/v1',
			description:
				'Used exactly as given. DashScope format: the URL that ends in /api/v1. Anyfast format: the origin, without /v1.',
			displayOptions: { show: { endpoint: ['custom'] } },
		},
		{
			displayName: 'API Format',
			name: 'apiFormat',
			type: 'options',
			default: 'native',
			options: [
				{
					name: 'DashScope (Native)',
					value: 'native',
					description:
						'POST {base}/services/aigc/video-generation/video-synthesis, GET {base}/tasks/{ID}',
				},
				{
					name: 'Anyfast (New-API Gateway)',
					value: 'anyfast',
					description: 'POST {base}/v1/video/generations, GET {base}/v1/video/generations/{ID}',
				},
			],
			displayOptions: { show: { endpoint: ['custom'] } },
		},
		{
			displayName: 'Submits per Second',
			name: 'submitsPerSecond',
			type: 'number',
			default: 5,
			typeOptions: { minValue: 0.1 },
			description:
				"The account's limit for new tasks: 5 per second for HappyHorse video edit. The node stays under it; raise it only if your quota is higher. Below 1 spaces submits out: 0.5 is one every 2 seconds.",
		},
		{
			displayName: 'Status Queries per Second',
			name: 'queriesPerSecond',
			type: 'number',
			default: 20,
			typeOptions: { minValue: 0.1 },
			description:
				"The account's limit for status queries, cancels and task lists together: 20 per second",
		},
		{
			displayName: 'Event Token',
			name: 'eventToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'For the HappyHorse Trigger: the token set on the EventBridge HTTP target. When set, a delivery with another token is refused.',
		},
		{
			displayName: 'Use My Own Prices',
			name: 'ownPrices',
			type: 'boolean',
			default: false,
			description:
				"Whether the node prices this account's videos at the prices below (a discount, a gateway, a custom endpoint) instead of Alibaba's list prices",
		},
		{
			displayName: 'Price per Second at 480P',
			name: 'price480P',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, numberPrecision: 4 },
			description:
				'What one second of 480P video costs this account, in the currency below. 0: not set, the list price applies (or none).',
			displayOptions: { show: { ownPrices: [true] } },
		},
		{
			displayName: 'Price per Second at 720P',
			name: 'price720P',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, numberPrecision: 4 },
			description:
				'What one second of 720P video costs this account, in the currency below. 0: not set, the list price applies (or none).',
			displayOptions: { show: { ownPrices: [true] } },
		},
		{
			displayName: 'Price per Second at 1080P',
			name: 'price1080P',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, numberPrecision: 4 },
			description:
				'What one second of 1080P video costs this account, in the currency below. 0: not set, the list price applies (or none).',
			displayOptions: { show: { ownPrices: [true] } },
		},
		{
			displayName: 'Price Currency',
			name: 'priceCurrency',
			type: 'string',
			default: 'USD',
			placeholder: 'USD',
			description: 'The currency of the prices above, e.g. USD or CNY',
			displayOptions: { show: { ownPrices: [true] } },
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// Native: reading any task id is free and answers 200 for a valid key, 401 for a bad one.
	// Anyfast: the model list is free and answers 401 for a bad key.
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			baseURL: credentialTestBaseUrlExpression,
			url: credentialTestPathExpression,
		},
	};
}
