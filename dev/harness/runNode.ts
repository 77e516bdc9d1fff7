import type {
	ICredentialDataDecryptedObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';

import { TestCredentialsHelper } from './credentialsHelper';
import type { ExecuteOutcome } from './nodeTypes';
import { HAPPY_HORSE_TYPE, TestNodeTypes } from './nodeTypes';

const NODE_NAME = 'HappyHorse';

export interface RunNodeOptions {
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
	/** The items handed to the node; one empty item by default. */
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** Cancels the execution this long after it started, as the editor's Stop button does. */
	cancelAfterMs?: number;
	/** The execution's id; runs given the same id act as nodes of one execution. */
	executionId?: string;
}

export interface NodeRunResult {
	/** The node's output items (main output 0), or [] when it failed. */
	items: INodeExecutionData[];
	/** The error the node ended with, if any. */
	error?: Error & { description?: string; context?: Record<string, unknown>; httpCode?: string };
	run: IRun;
	/** When and how the node's execute() itself ended. */
	executeSettled: Promise<ExecuteOutcome>;
}

/**
 * Runs the HappyHorse node with the given input items through n8n-core's real WorkflowExecute,
 * with the credential's real `authenticate` applied to each request.
 */
export async function runNode(options: RunNodeOptions): Promise<NodeRunResult> {
	const node: INode = {
		id: 'b6b1b1e4-0000-4000-8000-000000000001',
		name: NODE_NAME,
		type: HAPPY_HORSE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: { happyHorseApi: { id: '1', name: 'HappyHorse account' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const workflowData = {
		id: 'test-workflow',
		name: 'test',
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes: [node],
		connections: {},
		settings: { executionOrder: 'v1' as const },
		createdAt: new Date(),
		updatedAt: new Date(),
	};
	const nodeTypes = new TestNodeTypes();
	const workflow = new Workflow({
		id: workflowData.id,
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: workflowData.settings,
	});

	const executionId = options.executionId ?? 'test-execution';
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData as never);
	let resolveFinished: (run: IRun) => void = () => {};
	const finished = { promise: new Promise<IRun>((resolve) => (resolveFinished = resolve)) };
	hooks.addHandler('workflowExecuteAfter', (run) => resolveFinished(run));

	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(options.credentials),
		hooks,
		executionId,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		currentNodeExecutionIndex: 0,
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not available in tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not available in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const runExecutionData: IRunExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [
				{ node, data: { main: [options.items ?? [{ json: {} }]] }, source: null },
			],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;

	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	let running: ReturnType<WorkflowExecute['processRunExecutionData']>;
	try {
		running = execution.processRunExecutionData(workflow);
	} catch (error) {
		// n8n refuses a workflow whose node has static issues (a required parameter left empty)
		// before the node runs at all.
		return {
			items: [],
			error: error as NodeRunResult['error'],
			run: undefined as unknown as IRun,
			executeSettled: nodeTypes.executeSettled,
		};
	}
	if (options.cancelAfterMs !== undefined) {
		setTimeout(() => running.cancel(), options.cancelAfterMs);
	}
	const run = await Promise.race([running.catch(() => undefined), finished.promise]).then(
		async (value) => value ?? (await finished.promise),
	);

	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	return {
		items: taskData?.data?.main?.[0] ?? [],
		error: (taskData?.error ?? run.data.resultData.error) as NodeRunResult['error'],
		run,
		executeSettled: nodeTypes.executeSettled,
	};
}
