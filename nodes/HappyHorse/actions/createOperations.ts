import type { ParameterName, TaskKind } from '../schemas/taskKinds';
import { TASK_KIND_SPECS } from '../schemas/taskKinds';

/** The create operations, each with its kind of task (schemas/taskKinds.ts). */
export const CREATE_OPERATIONS = {
	createEditTask: 'videoEdit',
	createTextToVideoTask: 'textToVideo',
	createImageToVideoTask: 'imageToVideo',
	createReferenceToVideoTask: 'referenceToVideo',
} as const satisfies Record<string, TaskKind>;

export const createOperations = Object.keys(CREATE_OPERATIONS);

/** The operations whose kind takes this parameter: where its option is shown. */
export function operationsTaking(parameter: ParameterName): string[] {
	return Object.entries(CREATE_OPERATIONS)
		.filter(([, kind]) => TASK_KIND_SPECS[kind].parameters.includes(parameter))
		.map(([operation]) => operation);
}
