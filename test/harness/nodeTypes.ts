import type { INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';

import { HappyHorse } from '../../nodes/HappyHorse/HappyHorse.node';

/** The node types the test workflows use: only the package's own node. */
export const HAPPY_HORSE_TYPE = 'n8n-nodes-happyhorse.happyHorse';

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = { [HAPPY_HORSE_TYPE]: new HappyHorse() };

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
