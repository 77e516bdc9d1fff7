import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

/**
 * What the transport needs of n8n: the HappyHorse node's execute context, or the HappyHorse
 * Trigger's webhook context (which has no cancel signal: a delivery is not an execution yet).
 * One transport serves both nodes (docs/ARCHITECTURE.md, "Two nodes, one house").
 */
export type NodeContext =
	IExecuteFunctions | (IWebhookFunctions & { getExecutionCancelSignal?: undefined });
