import type { IExecuteFunctions, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';

import { HappyHorse } from '../../nodes/HappyHorse/HappyHorse.node';

/** The node types the test workflows use: only the package's own node. */
export const HAPPY_HORSE_TYPE = 'n8n-nodes-happyhorse.happyHorse';

export interface ExecuteOutcome {
	/** When the node's execute() settled (epoch ms), even after the run was canceled. */
	settledAt: number;
	error?: Error;
}

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType>;

	/** Settles when the node's own execute() does: a canceled run resolves before that. */
	readonly executeSettled: Promise<ExecuteOutcome>;

	constructor() {
		const node = new HappyHorse();
		const execute = node.execute!;
		let settle: (outcome: ExecuteOutcome) => void = () => {};
		this.executeSettled = new Promise((resolve) => (settle = resolve));
		node.execute = async function (this: IExecuteFunctions) {
			try {
				const result = await execute.call(this);
				settle({ settledAt: Date.now() });
				return result;
			} catch (error) {
				settle({ settledAt: Date.now(), error: error as Error });
				throw error;
			}
		};
		this.types = { [HAPPY_HORSE_TYPE]: node };
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(nodeType);
	}

	getByNameAndVersion(nodeType: string): INodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getKnownTypes() {
		return {};
	}
}
