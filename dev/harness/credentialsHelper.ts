import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Expression, ICredentialsHelper } from 'n8n-workflow';
import { Credentials } from 'n8n-core';

import { HappyHorseApi } from '../../credentials/HappyHorseApi.credentials';

export const credentialType = new HappyHorseApi();

/** Resolves one credential expression ("=Bearer {{$credentials.apiKey}}") as n8n does. */
export function resolveCredentialExpression(
	value: string,
	credentials: ICredentialDataDecryptedObject,
): string {
	if (!value.startsWith('=')) return value;
	const resolved = Expression.resolveWithoutWorkflow(value.slice(1), { $credentials: credentials });
	return String(resolved);
}

/**
 * Applies the credential type's real `authenticate` definition to each request, the part of
 * n8n's CredentialsHelper a node depends on. n8n publishes no test double for it.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentials: ICredentialDataDecryptedObject,
		private readonly type: ICredentialType = credentialType,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		if (typeName !== this.type.name) throw new Error(`Unexpected credential type ${typeName}`);
		const authenticate = this.type.authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!authenticate || authenticate.type !== 'generic') return requestOptions;
		const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
		for (const [outerKey, values] of Object.entries(authenticate.properties)) {
			options[outerKey] ??= {};
			for (const [key, value] of Object.entries(values as Record<string, string>)) {
				options[outerKey][key] = resolveCredentialExpression(value, credentials);
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string) {
		return new Credentials(nodeCredentials, type);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		if (type !== this.type.name) throw new Error(`Unexpected credential type ${type}`);
		return { ...this.credentials };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties() {
		return this.type.properties;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}
}
