import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AnyfastApi } from './anyfast';
import { resolveEndpoint } from './endpoints';
import { NativeApi } from './native';
import { CREDENTIAL_TYPE } from './request';
import type { HappyHorseApi } from './types';

export type { HappyHorseApi, TaskSnapshot, TaskStatus, SubmittedTask, MediaRules } from './types';
export { FINAL_STATUSES, TASK_STATUSES } from './types';

/** The API client for the node's credential: the only place that picks a family. */
export async function createApiClient(ctx: IExecuteFunctions): Promise<HappyHorseApi> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const { baseUrl, family } = resolveEndpoint(credentials);
	if (!/^https?:\/\/[^/]/.test(baseUrl)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The HappyHorse credential's Base URL "${baseUrl}" is not an http(s) URL`,
			{
				description:
					'Open the credential and give a base URL such as https://dashscope.aliyuncs.com/api/v1.',
			},
		);
	}
	return family === 'anyfast' ? new AnyfastApi(ctx, baseUrl) : new NativeApi(ctx, baseUrl);
}
